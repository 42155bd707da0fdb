// What every libFuzzer target of native/fuzz shares: a reader that turns the fuzz input into bounded
// shapes, parameters and seeded data; guarded output buffers; and the comparison of each SIMD level's
// outputs with the scalar variant's (the C++-side reference), which aborts with the kernel, level,
// index and values on a mismatch so libFuzzer saves the input as a crash. Inputs are allocated at
// their exact size (ASan then catches any read past them); outputs get guard words after them that
// must stay untouched and start as a NaN sentinel, so an unwritten element mismatches too.
// Tolerances are those of the parity tests (test/tolerances.ts, native/test/parity_tests.cc).
#ifndef KEEL_FUZZ_H_
#define KEEL_FUZZ_H_

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memory>
#include <string>
#include <vector>

#include "keel.h"

namespace fuzz {

// ---- the fuzz input, read front to back; past its end every read is 0 ------------------------------

struct Input {
  const uint8_t* data;
  size_t size, pos = 0;
  Input(const uint8_t* d, size_t n) : data(d), size(n) {}
  uint8_t byte() { return pos < size ? data[pos++] : 0; }
  uint32_t u32() { uint32_t v = 0; for (int i = 0; i < 4; i++) v |= (uint32_t)byte() << (8 * i); return v; }
  uint64_t u64() { return (uint64_t)u32() | (uint64_t)u32() << 32; }
  bool flag() { return byte() & 1; }
  // An integer in [lo, hi] (one byte: the fuzzer moves sizes one byte at a time).
  int64_t range(int64_t lo, int64_t hi) { return lo + (int64_t)(byte() % (uint64_t)(hi - lo + 1)); }
  // A fraction in [0, 1].
  double unit() { return u32() / 4294967295.0; }
  float raw_float() { const uint32_t b = u32(); float f; memcpy(&f, &b, 4); return f; }
};

// ---- seeded data -------------------------------------------------------------------------------------

// splitmix64: the data need only be cheap and reproducible from the seed the input gives.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * (float)((next() >> 40) * 0x1p-24); }
};

// An input array of exactly n floats (no slack: ASan reports any read past it).
struct In {
  std::unique_ptr<float[]> v;
  int64_t n;
  explicit In(int64_t count) : v(new float[(size_t)count]), n(count) {}
  float* data() const { return v.get(); }
  float& operator[](int64_t i) { return v[(size_t)i]; }
};

inline In uniform(Rng& r, int64_t n, float lo, float hi) {
  In a(n);
  for (int64_t i = 0; i < n; i++) a[i] = r.uniform(lo, hi);
  return a;
}

// Uniform values with some elements replaced by special values (NaN, ±Inf, ±0, subnormals, huge) or
// raw bit patterns from the input: for the kernels that must agree bitwise on every value.
inline In with_specials(Input& in, Rng& r, int64_t n, float lo, float hi, bool nonnegative = false) {
  In a = uniform(r, n, lo, hi);
  static const float specials[] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f, 1e-40f, -1e-40f, 3e38f, -3e38f, 1.0f};
  const int k = (int)in.range(0, 8);
  for (int j = 0; j < k && n > 0; j++) {
    const int64_t i = (int64_t)(r.next() % (uint64_t)n);
    const uint8_t which = in.byte();
    float f = which < 200 ? specials[which % 10] : in.raw_float();
    if (nonnegative && (signbit(f) || isnan(f))) f = fabsf(f);
    a[i] = f;
  }
  return a;
}

// A Philox draw offset near a carry of the counter's 32-bit words or anywhere, such that the `draws`
// indices offset .. offset + draws - 1 do not pass 2^64 (beyond it the variants disagree on the
// wrap, which the binding never reaches: it limits offset + count to 2^53 - 1).
inline uint64_t draw_offset(Input& in, int64_t draws) {
  const uint64_t base[] = {0, (1ull << 32) - 8, (1ull << 34) - 6, (1ull << 53) - 300, ~0ull - 300};
  uint64_t o = in.flag() ? base[in.byte() % 5] + in.byte() : in.u64();
  const uint64_t last = ~0ull - (uint64_t)draws + 1;  // largest offset whose draws end at 2^64 - 1
  if (draws > 0 && o > last) o = last;
  return o;
}

// ---- outputs: n floats, then guard words, all a NaN sentinel no kernel produces --------------------

const int kGuard = 16;
const uint32_t kSentinelBits = 0x7fbadbadu;

inline float sentinel() { float f; memcpy(&f, &kSentinelBits, 4); return f; }
inline uint32_t bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
inline bool same_bits(float a, float b) { return bits(a) == bits(b); }

struct Out {
  std::vector<float> buf;
  int64_t n;
  explicit Out(int64_t count) : buf((size_t)count + kGuard, sentinel()), n(count) {}
  // An in-place buffer (running statistics, parameters, optimiser state) that starts as `init`.
  explicit Out(const In& init) : Out(init.n) { if (n) memcpy(buf.data(), init.data(), (size_t)n * 4); }
  float* data() { return buf.data(); }
  const float* data() const { return buf.data(); }
};

// Doubles (conv1d_forward_stats' mean and var), same layout.
struct OutD {
  std::vector<double> buf;
  int64_t n;
  explicit OutD(int64_t count) : buf((size_t)count + kGuard, -1234.5), n(count) {}
  double* data() { return buf.data(); }
};

// ---- comparison -----------------------------------------------------------------------------------------

// |got - want| <= atol + rtol * scale, scale = |want| or, for sums of products, the same sum over
// absolute values (so that cancellation is not punished). atol = rtol = 0: bitwise. any_nan: any NaN
// matches any NaN (IEEE 754 leaves a computed NaN's sign and payload unspecified).
struct Tol {
  float atol = 0, rtol = 0;
  bool any_nan = false;
};

const Tol kExact{0, 0, false};
const Tol kExactAnyNan{0, 0, true};
const Tol kSum{1e-5f, 1e-5f, false};        // conv1d/linear forward, backward-data, bias gradients
const Tol kWeightGrad{1e-4f, 1e-5f, false};  // conv1d/linear weight gradients
const Tol kBatchNorm{1e-5f, 1e-5f, false};   // batchnorm1d and the fused block

// The case being run, printed with any failure (the kernel, the level, the shape).
struct Context {
  std::string kernel, level, shape;
};
inline Context& ctx() { static Context c; return c; }

[[noreturn]] inline void fail(const std::string& what) {
  fprintf(stderr, "FUZZ FAIL %s [level %s] %s: %s\n", ctx().kernel.c_str(), ctx().level.c_str(),
          ctx().shape.c_str(), what.c_str());
  abort();
}

inline void check_guards(const char* name, const Out& o) {
  for (int g = 0; g < kGuard; g++)
    if (!same_bits(o.buf[(size_t)o.n + g], sentinel()))
      fail(std::string(name) + " written past its end (guard word " + std::to_string(g) + ")");
}

// got against want element by element; scale may be null (|want|).
inline void compare(const char* name, const Out& got, const Out& want, Tol t, const float* scale = nullptr) {
  check_guards(name, got);
  check_guards(name, want);
  for (int64_t i = 0; i < want.n; i++) {
    const float e = want.buf[(size_t)i], a = got.buf[(size_t)i];
    if (same_bits(e, a) || (t.any_nan && isnan(e) && isnan(a))) continue;
    const float tol = t.atol + t.rtol * (scale ? scale[i] : fabsf(e));
    if ((t.atol > 0 || t.rtol > 0) && !isnan(a) && !isnan(e) && fabsf(a - e) <= tol) continue;
    char msg[200];
    snprintf(msg, sizeof msg, "%s[%lld] expected %.9g (0x%08x), got %.9g (0x%08x), tolerance %.3g", name, (long long)i,
             e, bits(e), a, bits(a), tol);
    fail(msg);
  }
}

// Every level this CPU runs other than scalar (the reference), in dispatch order.
inline const std::vector<const keel_kernels*>& simd_levels() {
  static const std::vector<const keel_kernels*> levels = [] {
    std::vector<const keel_kernels*> v;
    for (int i = KEEL_ISA_SCALAR + 1; i <= KEEL_ISA_NEON; i++)
      if (const keel_kernels* k = keel_kernels_for((keel_isa)i)) v.push_back(k);
    keel_set_num_threads(1);  // one thread: the fuzzer runs with -workers=1 on a shared machine
    return v;
  }();
  return levels;
}

inline const keel_kernels* scalar() { return keel_kernels_for(KEEL_ISA_SCALAR); }

// Runs `body(level)` for every SIMD level with ctx().level set.
template <typename F>
void for_each_level(F body) {
  for (const keel_kernels* k : simd_levels()) {
    ctx().level = keel_isa_name(k->isa);
    body(k);
  }
}

inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
  char b[320];
  va_list ap;
  va_start(ap, f);
  vsnprintf(b, sizeof b, f, ap);
  va_end(ap);
  return b;
}

}  // namespace fuzz

#endif  // KEEL_FUZZ_H_
