// Parity and determinism of every CPU level this machine runs (scalar, avx2, avx512 on x86-64;
// scalar, neon on arm64, also under qemu-user: .ci/neon), through the C ABI and the dispatch tables.
//
//   parity:      every kernel of every level's table against the SCALAR table (the C++-side
//                reference, a port of src/ref) over case tables that hit every vector tail (sizes
//                1..17, primes, batch 0/1, every conv option, BN shapes and modes, dropout offsets
//                and probabilities), with the per-kernel tolerances below;
//   determinism: every kernel of every level run with 1, 2, 3 and 4 pool threads, outputs compared
//                bitwise, on shapes large enough for the kernels to split their work;
//   bounds:      every output buffer has guard words after it that must stay untouched, and
//                outputs start as a NaN sentinel, so an unwritten element fails too.
//
// Tolerances (|got - expected| <= atol + rtol * scale, scale = |expected| or, for sums of
// products, the same sum over absolute values so that cancellation is not punished):
//   relu, dropout/dropout1d (mask, forward, backward)   exact (bitwise)
//   conv1d forward / backward-data, linear forward /
//     backward-data, conv/linear bias gradients        atol 1e-5, rtol 1e-5 of sum |terms|
//   conv1d / linear weight gradients                    atol 1e-4, rtol 1e-5 of sum |terms|
//   batchnorm1d outputs and statistics                  atol 1e-5, rtol 1e-5 (1e-4 abs for y when
//                                                       the data has mean 1e3, std 0.1)
//   batchnorm1d dweight / dbias                         atol 1e-5, rtol 1e-5 of sum |terms|
//   adam_update, adam_update_multi, sgd_update          exact (every variant is bitwise by design)
//   bn_relu_dropout forward / backward                  atol 1e-5, rtol 1e-5 (of 4 sum|dy|/C for
//                                                       dweight, dbias); the masks decide 0 vs not
// A failure prints kernel, level, variant, shape, index, expected and got.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "keel.h"
#include "test_levels.h"

namespace {

int failures = 0, checks = 0;
const int kMaxReports = 40;

// ---- buffers with guards -------------------------------------------------------------------------

const int kGuard = 16;
const uint32_t kSentinelBits = 0x7fbadbadu;  // a NaN no kernel produces

float sentinel() {
  float f;
  memcpy(&f, &kSentinelBits, 4);
  return f;
}

// An output buffer: n floats then kGuard guard words, all the sentinel at first.
struct Out {
  std::string name;
  std::vector<float> buf;
  int64_t n;
  float atol = 0, rtol = 0;       // 0, 0: exact
  std::vector<float> scale;       // per-element scale for rtol (empty: |expected|)
  // Any NaN matches any NaN: IEEE 754 leaves the sign and payload of a NaN an arithmetic op returns
  // unspecified, and the compiler uses that (it may evaluate a·(−b) as −(a·b)), so the scalar
  // variant's NaN signs are not a spec. Set for the optimiser updates' special-value cases.
  bool any_nan = false;
  Out(std::string nm, int64_t count) : name(std::move(nm)), buf((size_t)count + kGuard, sentinel()), n(count) {}
  float* data() { return buf.data(); }
  Out& tol(float a, float r) { atol = a, rtol = r; return *this; }
  Out& nan_sign_free(bool on = true) { any_nan = on; return *this; }
};

struct U8Out {
  std::vector<uint8_t> buf;
  int64_t n;
  explicit U8Out(int64_t count) : buf((size_t)count + kGuard, 0xA5), n(count) {}
};

bool same_bits(float a, float b) { return memcmp(&a, &b, 4) == 0; }

// Largest |got - expected| / tolerance seen per (level, kernel): how close each variant runs to its
// tolerance (printed at the end; 0 means bitwise equal everywhere).
std::map<std::string, double> worst;

// ---- inputs ----------------------------------------------------------------------------------------

std::mt19937_64 rng(20261124);

std::vector<float> uniform(int64_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v((size_t)(n > 0 ? n : 0) + 1);  // +1: never a null data() for n = 0
  for (int64_t i = 0; i < n; i++) v[i] = d(rng);
  return v;
}

std::vector<float> absolute(const std::vector<float>& v) {
  std::vector<float> a(v.size());
  for (size_t i = 0; i < v.size(); i++) a[i] = fabsf(v[i]);
  return a;
}

// ---- cases -----------------------------------------------------------------------------------------

// One call of one kernel on fixed inputs: run(k) fills fresh outputs from table k.
struct Case {
  const char* kernel;
  std::string shape;
  std::function<std::vector<Out>(const keel_kernels*)> run;
  bool big = false;  // also run in the determinism pass
};

std::vector<Case> cases;

const char* variant_of(const keel_kernels* k, const char* kernel) {
#define KEEL_VARIANT_OF(name, type) \
  if (strcmp(kernel, #name) == 0) return k->name##_variant;
  KEEL_KERNEL_LIST(KEEL_VARIANT_OF)
#undef KEEL_VARIANT_OF
  return "?";
}

void report(const Case& c, const keel_kernels* k, const char* what, const std::string& msg) {
  failures++;
  if (failures <= kMaxReports)
    fprintf(stderr, "FAIL %s [level %s, variant %s] shape %s: %s %s\n", c.kernel, keel_isa_name(k->isa),
            variant_of(k, c.kernel), c.shape.c_str(), what, msg.c_str());
}

bool guards_intact(const Case& c, const keel_kernels* k, const std::vector<Out>& outs) {
  bool ok = true;
  for (const Out& o : outs) {
    for (int g = 0; g < kGuard; g++) {
      if (!same_bits(o.buf[(size_t)o.n + g], sentinel())) {
        report(c, k, o.name.c_str(), "wrote past the end of its output (guard word " + std::to_string(g) + ")");
        ok = false;
        break;
      }
    }
  }
  return ok;
}

void compare(const Case& c, const keel_kernels* k, const std::vector<Out>& got, const std::vector<Out>& want) {
  checks++;
  if (!guards_intact(c, k, got)) return;
  for (size_t o = 0; o < want.size(); o++) {
    const Out& w = want[o];
    const Out& g = got[o];
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < w.n; i++) {
      const float e = w.buf[i], a = g.buf[i];
      if (same_bits(e, a) || (w.any_nan && isnan(e) && isnan(a))) continue;
      const float scale = w.scale.empty() ? fabsf(e) : w.scale[i];
      const float tol = w.atol + w.rtol * scale;
      const bool ok = (w.atol > 0 || w.rtol > 0) && !isnan(a) && !isnan(e) && fabsf(a - e) <= tol;
      if (ok) {
        double& wv = worst[std::string(keel_isa_name(k->isa)) + " " + c.kernel];
        if (fabsf(a - e) / tol > wv) wv = fabsf(a - e) / tol;
      }
      if (!ok) {
        if (first < 0) first = i;
        bad++;
      }
    }
    if (bad) {
      char msg[256];
      const float e = w.buf[first], a = g.buf[first];
      snprintf(msg, sizeof msg, "index %lld: expected %.9g, got %.9g (|diff| %.3g, tol %.3g; %lld of %lld elements off)",
               (long long)first, e, a, fabsf(a - e),
               w.atol + w.rtol * (w.scale.empty() ? fabsf(e) : w.scale[first]), (long long)bad, (long long)w.n);
      report(c, k, w.name.c_str(), msg);
    }
  }
}

// ---- relu ------------------------------------------------------------------------------------------

void add_relu(int64_t n, bool big = false) {
  auto x = std::make_shared<std::vector<float>>(uniform(n));
  auto dy = std::make_shared<std::vector<float>>(uniform(n));
  // Specials: -0, +0, NaN, infinities, denormals.
  const float specials[] = {-0.0f, 0.0f, NAN, INFINITY, -INFINITY, 1e-40f, -1e-40f};
  for (int64_t i = 0; i < n && i < 7; i += 1) (*x)[(size_t)(i * 5 % n)] = specials[i];
  const std::string shape = "count=" + std::to_string(n);
  cases.push_back({"relu_forward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("y", n)};
    keel_eltwise_params p{n};
    k->relu_forward(o[0].data(), x->data(), &p);
    return o;
  }, big});
  cases.push_back({"relu_backward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("dx", n)};
    keel_eltwise_params p{n};
    k->relu_backward(o[0].data(), dy->data(), x->data(), &p);
    return o;
  }, big});
}

// ---- dropout ---------------------------------------------------------------------------------------

void add_dropout(int64_t count, int64_t length, double prob, uint64_t seed, uint64_t stream, uint64_t offset,
                 bool big = false) {
  const int64_t n = count * length;
  auto x = std::make_shared<std::vector<float>>(uniform(n));
  keel_dropout_params p{count, length, prob, seed, stream, offset};
  char shape[160];
  snprintf(shape, sizeof shape, "count=%lld length=%lld p=%g seed=%llu stream=%llu offset=%llu", (long long)count,
           (long long)length, prob, (unsigned long long)seed, (unsigned long long)stream, (unsigned long long)offset);
  const bool d1 = length > 1;
  auto mask = [=](const keel_kernels* k) {
    U8Out m(count);
    (d1 ? k->dropout1d_mask : k->dropout_mask)(m.buf.data(), &p);
    std::vector<Out> o{Out("mask", count + kGuard)};  // the guard bytes are compared too
    o[0].n = count + kGuard;
    o[0].buf.resize((size_t)(count + 2 * kGuard), sentinel());
    for (int64_t i = 0; i < count + kGuard; i++) o[0].buf[i] = (float)m.buf[i];
    return o;
  };
  auto fwd = [=](bool backward) {
    return [=](const keel_kernels* k) {
      std::vector<Out> o{Out(backward ? "dx" : "y", n)};
      if (backward) (d1 ? k->dropout1d_backward : k->dropout_backward)(o[0].data(), x->data(), &p);
      else (d1 ? k->dropout1d_forward : k->dropout_forward)(o[0].data(), x->data(), &p);
      return o;
    };
  };
  cases.push_back({d1 ? "dropout1d_mask" : "dropout_mask", shape, mask, big});
  cases.push_back({d1 ? "dropout1d_forward" : "dropout_forward", shape, fwd(false), big});
  cases.push_back({d1 ? "dropout1d_backward" : "dropout_backward", shape, fwd(true), big});
}

// ---- conv1d ----------------------------------------------------------------------------------------

void add_conv(int64_t N, int64_t Cin, int64_t Cout, int64_t L, int64_t K, int64_t stride, int64_t padl,
              int64_t padr, int64_t dil, int64_t groups, bool has_bias, bool big = false) {
  const keel_conv1d_params p{N, Cin, L, Cout, K, stride, padl, padr, dil, groups};
  const int64_t Lout = keel_conv1d_out_length(&p);
  if (Lout < 1) return;
  const int64_t cin_g = Cin / groups;
  auto x = std::make_shared<std::vector<float>>(uniform(N * Cin * L));
  auto w = std::make_shared<std::vector<float>>(uniform(Cout * cin_g * K));
  auto b = std::make_shared<std::vector<float>>(uniform(Cout));
  auto dy = std::make_shared<std::vector<float>>(uniform(N * Cout * Lout));
  auto ax = std::make_shared<std::vector<float>>(absolute(*x));
  auto aw = std::make_shared<std::vector<float>>(absolute(*w));
  auto ab = std::make_shared<std::vector<float>>(absolute(*b));
  auto ady = std::make_shared<std::vector<float>>(absolute(*dy));
  char shape[200];
  snprintf(shape, sizeof shape, "N=%lld Cin=%lld Cout=%lld L=%lld K=%lld stride=%lld pad=(%lld,%lld) dil=%lld groups=%lld bias=%d",
           (long long)N, (long long)Cin, (long long)Cout, (long long)L, (long long)K, (long long)stride,
           (long long)padl, (long long)padr, (long long)dil, (long long)groups, (int)has_bias);
  // Scales: the same reduction over absolute values, computed by the scalar reference.
  const keel_kernels* s = keel_kernels_for(KEEL_ISA_SCALAR);
  auto sy = std::make_shared<std::vector<float>>((size_t)(N * Cout * Lout) + 1);
  auto sdx = std::make_shared<std::vector<float>>((size_t)(N * Cin * L) + 1);
  auto sdw = std::make_shared<std::vector<float>>((size_t)(Cout * cin_g * K) + 1);
  auto sdb = std::make_shared<std::vector<float>>((size_t)Cout + 1);
  s->conv1d_forward(sy->data(), ax->data(), aw->data(), has_bias ? ab->data() : nullptr, &p);
  s->conv1d_backward_data(sdx->data(), ady->data(), aw->data(), &p);
  s->conv1d_backward_weight(sdw->data(), ax->data(), ady->data(), &p);
  s->conv1d_backward_bias(sdb->data(), ady->data(), &p);
  auto with_scale = [](Out o, const std::shared_ptr<std::vector<float>>& sc) {
    o.scale.assign(sc->begin(), sc->begin() + o.n);
    return o;
  };
  cases.push_back({"conv1d_forward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("y", N * Cout * Lout).tol(1e-5f, 1e-5f), sy)};
    k->conv1d_forward(o[0].data(), x->data(), w->data(), has_bias ? b->data() : nullptr, &p);
    return o;
  }, big});
  cases.push_back({"conv1d_backward_data", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("dx", N * Cin * L).tol(1e-5f, 1e-5f), sdx)};
    k->conv1d_backward_data(o[0].data(), dy->data(), w->data(), &p);
    return o;
  }, big});
  cases.push_back({"conv1d_backward_weight", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("dw", Cout * cin_g * K).tol(1e-4f, 1e-5f), sdw)};
    k->conv1d_backward_weight(o[0].data(), x->data(), dy->data(), &p);
    return o;
  }, big});
  cases.push_back({"conv1d_backward_bias", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("db", Cout).tol(1e-5f, 1e-5f), sdb)};
    k->conv1d_backward_bias(o[0].data(), dy->data(), &p);
    return o;
  }, big});
}

// ---- linear ----------------------------------------------------------------------------------------

void add_linear(int64_t N, int64_t I, int64_t O, bool has_bias, bool big = false) {
  const keel_linear_params p{N, I, O};
  auto x = std::make_shared<std::vector<float>>(uniform(N * I));
  auto w = std::make_shared<std::vector<float>>(uniform(O * I));
  auto b = std::make_shared<std::vector<float>>(uniform(O));
  auto dy = std::make_shared<std::vector<float>>(uniform(N * O));
  auto ax = std::make_shared<std::vector<float>>(absolute(*x));
  auto aw = std::make_shared<std::vector<float>>(absolute(*w));
  auto ab = std::make_shared<std::vector<float>>(absolute(*b));
  auto ady = std::make_shared<std::vector<float>>(absolute(*dy));
  const keel_kernels* s = keel_kernels_for(KEEL_ISA_SCALAR);
  auto sy = std::make_shared<std::vector<float>>((size_t)(N * O) + 1);
  auto sdx = std::make_shared<std::vector<float>>((size_t)(N * I) + 1);
  auto sdw = std::make_shared<std::vector<float>>((size_t)(O * I) + 1);
  auto sdb = std::make_shared<std::vector<float>>((size_t)O + 1);
  s->linear_forward(sy->data(), ax->data(), aw->data(), has_bias ? ab->data() : nullptr, &p);
  s->linear_backward_data(sdx->data(), ady->data(), aw->data(), &p);
  s->linear_backward_weight(sdw->data(), ax->data(), ady->data(), &p);
  s->linear_backward_bias(sdb->data(), ady->data(), &p);
  auto with_scale = [](Out o, const std::shared_ptr<std::vector<float>>& sc) {
    o.scale.assign(sc->begin(), sc->begin() + o.n);
    return o;
  };
  const std::string shape = "N=" + std::to_string(N) + " in=" + std::to_string(I) + " out=" + std::to_string(O) +
                            " bias=" + std::to_string((int)has_bias);
  cases.push_back({"linear_forward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("y", N * O).tol(1e-5f, 1e-5f), sy)};
    k->linear_forward(o[0].data(), x->data(), w->data(), has_bias ? b->data() : nullptr, &p);
    return o;
  }, big});
  cases.push_back({"linear_backward_data", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("dx", N * I).tol(1e-5f, 1e-5f), sdx)};
    k->linear_backward_data(o[0].data(), dy->data(), w->data(), &p);
    return o;
  }, big});
  cases.push_back({"linear_backward_weight", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("dw", O * I).tol(1e-4f, 1e-5f), sdw)};
    k->linear_backward_weight(o[0].data(), x->data(), dy->data(), &p);
    return o;
  }, big});
  cases.push_back({"linear_backward_bias", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{with_scale(Out("db", O).tol(1e-5f, 1e-5f), sdb)};
    k->linear_backward_bias(o[0].data(), dy->data(), &p);
    return o;
  }, big});
}

// ---- batchnorm1d -----------------------------------------------------------------------------------

void add_bn(int64_t N, int64_t C, int64_t L, bool affine, bool running, double factor, bool offset_data = false,
            bool big = false) {
  const int64_t n = N * C * L;
  auto x = std::make_shared<std::vector<float>>(offset_data ? uniform(n, 1000.0f - 0.17f, 1000.0f + 0.17f) : uniform(n, -1.5f, 2.5f));
  auto dy = std::make_shared<std::vector<float>>(uniform(n));
  auto w = std::make_shared<std::vector<float>>(uniform(C, 0.5f, 1.5f));
  auto b = std::make_shared<std::vector<float>>(uniform(C));
  auto rm = std::make_shared<std::vector<float>>(uniform(C, -0.5f, 0.5f));
  auto rv = std::make_shared<std::vector<float>>(uniform(C, 0.5f, 2.0f));
  if (offset_data)
    for (int64_t c = 0; c < C; c++) (*rm)[c] = 1000.0f + (*rm)[c] * 0.1f, (*rv)[c] *= 0.01f;
  const float ytol = offset_data ? 1e-4f : 1e-5f;
  char shape[160];
  snprintf(shape, sizeof shape, "N=%lld C=%lld L=%lld affine=%d running=%d factor=%g%s", (long long)N, (long long)C,
           (long long)L, (int)affine, (int)running, factor, offset_data ? " data~1e3+-0.17" : "");
  const keel_batchnorm1d_params p{N, C, L, 1e-5, factor};
  if (N * L > 1) {
    cases.push_back({"batchnorm1d_train_forward", shape, [=](const keel_kernels* k) {
      std::vector<Out> o{Out("y", n).tol(ytol, 1e-5f), Out("save_mean", C).tol(1e-5f, 1e-5f),
                         Out("save_invstd", C).tol(1e-5f, 1e-5f)};
      if (running) {
        o.push_back(Out("running_mean", C).tol(1e-5f, 1e-5f));
        o.push_back(Out("running_var", C).tol(1e-5f, 1e-5f));
        std::copy(rm->begin(), rm->begin() + C, o[3].buf.begin());
        std::copy(rv->begin(), rv->begin() + C, o[4].buf.begin());
      }
      k->batchnorm1d_train_forward(o[0].data(), o[1].data(), o[2].data(), running ? o[3].data() : nullptr,
                                   running ? o[4].data() : nullptr, x->data(), affine ? w->data() : nullptr,
                                   affine ? b->data() : nullptr, &p);
      return o;
    }, big});
  }
  cases.push_back({"batchnorm1d_eval_forward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("y", n).tol(ytol, 1e-5f)};
    k->batchnorm1d_eval_forward(o[0].data(), x->data(), rm->data(), rv->data(), affine ? w->data() : nullptr,
                                affine ? b->data() : nullptr, &p);
    return o;
  }, big});
  // Backward, with the batch statistics (training) or the running ones (eval), float as saved.
  for (int training = 0; training <= 1; training++) {
    if (training && N * L <= 1) continue;
    auto mean = std::make_shared<std::vector<float>>((size_t)C + 1);
    auto invstd = std::make_shared<std::vector<float>>((size_t)C + 1);
    auto sdw = std::make_shared<std::vector<float>>((size_t)C + 1);
    auto sdb = std::make_shared<std::vector<float>>((size_t)C + 1);
    for (int64_t c = 0; c < C; c++) {
      double s = 0, q = 0;
      if (training) {
        for (int64_t i = 0; i < N; i++)
          for (int64_t l = 0; l < L; l++) s += (*x)[(i * C + c) * L + l];
        s /= (double)(N * L);
        for (int64_t i = 0; i < N; i++)
          for (int64_t l = 0; l < L; l++) q += ((*x)[(i * C + c) * L + l] - s) * ((*x)[(i * C + c) * L + l] - s);
        (*mean)[c] = (float)s, (*invstd)[c] = (float)(1.0 / sqrt(q / (double)(N * L) + 1e-5));
      } else {
        (*mean)[c] = (*rm)[c], (*invstd)[c] = (float)(1.0 / sqrt((double)(*rv)[c] + 1e-5));
      }
      double aw = 0, ab = 0;
      for (int64_t i = 0; i < N; i++)
        for (int64_t l = 0; l < L; l++) {
          const double g = fabs((double)(*dy)[(i * C + c) * L + l]);
          ab += g;
          aw += g * fabs(((double)(*x)[(i * C + c) * L + l] - (*mean)[c]) * (*invstd)[c]);
        }
      (*sdw)[c] = (float)aw, (*sdb)[c] = (float)ab;
    }
    const keel_batchnorm1d_backward_params bp{N, C, L, training};
    for (int want_grads = 0; want_grads <= 1; want_grads++) {
      if (!want_grads && (N % 2 == 0)) continue;  // the null-gradient form on some shapes only
      cases.push_back({"batchnorm1d_backward", std::string(shape) + (training ? " training" : " eval") +
                                                   (want_grads ? "" : " no-dw/db"),
                       [=](const keel_kernels* k) {
        std::vector<Out> o{Out("dx", n).tol(1e-5f, 1e-5f)};
        if (want_grads) {
          o.push_back(Out("dweight", C).tol(1e-5f, 1e-5f));
          o.push_back(Out("dbias", C).tol(1e-5f, 1e-5f));
          o[1].scale.assign(sdw->begin(), sdw->begin() + C);
          o[2].scale.assign(sdb->begin(), sdb->begin() + C);
        }
        k->batchnorm1d_backward(o[0].data(), want_grads ? o[1].data() : nullptr, want_grads ? o[2].data() : nullptr,
                                dy->data(), x->data(), mean->data(), invstd->data(), affine ? w->data() : nullptr,
                                &bp);
        return o;
      }, big});
    }
  }
}

// ---- adam_update (exact: every variant claims bitwise equality with the reference) -----------------

// NaN, infinities, ±0, subnormals and huge values written near both ends of an optimiser input
// (`salt` moves them between arrays), so they land in vector bodies and tails alike.
void add_specials(std::vector<float>& a, int64_t n, int salt, bool nonnegative = false) {
  const float specials[] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f, 1e-40f, -1e-40f, 3e38f, -3e38f};
  if (n <= 0) return;
  for (int k = 0; k < 9; k++) {
    const float s = specials[k];
    if (nonnegative && (s < 0 || (s == 0 && signbit(s)))) continue;
    const int64_t j = (k * 7 + salt * 3) % n;
    a[(size_t)j] = s, a[(size_t)(n - 1 - j)] = s;
  }
}

void add_adam(int64_t n, bool decoupled, bool amsgrad, bool maximize, float wd, bool big = false, bool specials = false) {
  auto param = std::make_shared<std::vector<float>>(uniform(n));
  auto m = std::make_shared<std::vector<float>>(uniform(n, -0.1f, 0.1f));
  auto v = std::make_shared<std::vector<float>>(uniform(n, 0.0f, 0.01f));
  auto vmax = std::make_shared<std::vector<float>>(uniform(n, 0.0f, 0.012f));
  auto grad = std::make_shared<std::vector<float>>(uniform(n));
  if (specials) {
    add_specials(*param, n, 0), add_specials(*m, n, 1), add_specials(*v, n, 2, true), add_specials(*vmax, n, 3);
    add_specials(*grad, n, 4);
  }
  const int step = 3;
  const double lr = 1e-3, b1 = 0.9, b2 = 0.999;
  keel_adam_params p;
  p.count = n;
  p.beta1 = (float)b1, p.beta2 = (float)b2, p.one_minus_beta1 = (float)(1 - b1), p.one_minus_beta2 = (float)(1 - b2);
  p.weight_decay = wd, p.eps = 1e-8f;
  p.decay = (float)(1 - lr * wd);
  p.c2_sqrt = (float)sqrt(1 - pow(b2, step));
  p.neg_step = (float)(-lr / (1 - pow(b1, step)));
  p.decoupled = decoupled, p.maximize = maximize, p.amsgrad = amsgrad;
  char shape[120];
  snprintf(shape, sizeof shape, "count=%lld decoupled=%d amsgrad=%d maximize=%d wd=%g%s", (long long)n, (int)decoupled,
           (int)amsgrad, (int)maximize, wd, specials ? " specials" : "");
  cases.push_back({"adam_update", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("param", n).nan_sign_free(specials), Out("exp_avg", n).nan_sign_free(specials),
                       Out("exp_avg_sq", n).nan_sign_free(specials), Out("max_exp_avg_sq", n).nan_sign_free(specials)};
    std::copy(param->begin(), param->begin() + n, o[0].buf.begin());
    std::copy(m->begin(), m->begin() + n, o[1].buf.begin());
    std::copy(v->begin(), v->begin() + n, o[2].buf.begin());
    std::copy(vmax->begin(), vmax->begin() + n, o[3].buf.begin());
    k->adam_update(o[0].data(), o[1].data(), o[2].data(), amsgrad ? o[3].data() : nullptr, grad->data(), &p);
    return o;
  }, big});
}

// ---- adam_update_multi (exact, like adam_update): one call over tensors of the given counts, the
// options and the step differing per tensor, with special values ------------------------------------

void add_adam_multi(const std::vector<int64_t>& counts, bool big = false) {
  struct Tensor {
    std::vector<float> param, m, v, vmax, grad;
    keel_adam_params p;
  };
  auto ts = std::make_shared<std::vector<Tensor>>();
  std::string shape = "counts=";
  for (size_t t = 0; t < counts.size(); t++) {
    const int64_t n = counts[t];
    Tensor x{uniform(n), uniform(n, -0.1f, 0.1f), uniform(n, 0.0f, 0.01f), uniform(n, 0.0f, 0.012f), uniform(n), {}};
    add_specials(x.grad, n, (int)t), add_specials(x.v, n, (int)t + 1, true);
    const int step = 1 + (int)(t % 5);
    const float wd = t % 3 ? 0.01f : 0.0f;
    x.p.count = n, x.p.beta1 = 0.9f, x.p.beta2 = 0.999f, x.p.one_minus_beta1 = 0.1f, x.p.one_minus_beta2 = 0.001f;
    x.p.weight_decay = wd, x.p.eps = 1e-8f, x.p.decay = (float)(1 - 1e-3 * wd);
    x.p.c2_sqrt = (float)sqrt(1 - pow(0.999, step)), x.p.neg_step = (float)(-1e-3 / (1 - pow(0.9, step)));
    x.p.decoupled = t % 2, x.p.maximize = t % 4 == 3, x.p.amsgrad = (t / 2) % 2;
    ts->push_back(std::move(x));
    shape += (t ? "," : "") + std::to_string(n);
  }
  cases.push_back({"adam_update_multi", shape, [=](const keel_kernels* k) {
    static const char* const kNames[] = {"param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    std::vector<Out> o;
    std::vector<keel_adam_tensor> args;
    for (size_t t = 0; t < ts->size(); t++) {
      const Tensor& x = (*ts)[t];
      const std::vector<float>* src[] = {&x.param, &x.m, &x.v, &x.vmax};
      for (int a = 0; a < 4; a++) {
        o.push_back(Out("tensors[" + std::to_string(t) + "]." + kNames[a], x.p.count).nan_sign_free());
        std::copy(src[a]->begin(), src[a]->begin() + x.p.count, o.back().buf.begin());
      }
    }
    for (size_t t = 0; t < ts->size(); t++) {
      const Tensor& x = (*ts)[t];
      Out* w = &o[4 * t];
      args.push_back({w[0].data(), w[1].data(), w[2].data(), x.p.amsgrad ? w[3].data() : nullptr, x.grad.data(), x.p});
    }
    k->adam_update_multi(args.data(), (int64_t)args.size());
    return o;
  }, big});
}

// ---- sgd_update (exact, like adam_update) ------------------------------------------------------------

void add_sgd(int64_t n, bool buffer, bool first_step, bool nesterov, bool maximize, float wd, float dampening,
             bool big = false, bool specials = false) {
  auto param = std::make_shared<std::vector<float>>(uniform(n));
  auto buf = std::make_shared<std::vector<float>>(uniform(n, -0.1f, 0.1f));
  auto grad = std::make_shared<std::vector<float>>(uniform(n, -0.1f, 0.1f));
  if (specials) add_specials(*param, n, 0), add_specials(*buf, n, 1), add_specials(*grad, n, 2);
  keel_sgd_params p;
  p.count = n;
  p.weight_decay = wd, p.momentum = 0.9f, p.one_minus_dampening = (float)(1.0 - (double)dampening);
  p.neg_lr = -0.01f;
  p.nesterov = nesterov, p.maximize = maximize, p.first_step = first_step;
  char shape[160];
  snprintf(shape, sizeof shape, "count=%lld buffer=%d first_step=%d nesterov=%d maximize=%d wd=%g dampening=%g%s",
           (long long)n, (int)buffer, (int)first_step, (int)nesterov, (int)maximize, wd, dampening,
           specials ? " specials" : "");
  cases.push_back({"sgd_update", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("param", n).nan_sign_free(specials), Out("momentum_buffer", n).nan_sign_free(specials)};
    std::copy(param->begin(), param->begin() + n, o[0].buf.begin());
    std::copy(buf->begin(), buf->begin() + n, o[1].buf.begin());
    k->sgd_update(o[0].data(), buffer ? o[1].data() : nullptr, grad->data(), &p);
    return o;
  }, big});
}

// ---- fused BatchNorm1d -> ReLU -> Dropout ------------------------------------------------------------

void add_fused(int64_t N, int64_t C, int64_t L, bool training, bool affine, bool running, double prob,
               uint64_t offset, bool big = false) {
  const int64_t n = N * C * L;
  auto x = std::make_shared<std::vector<float>>(uniform(n, -1.5f, 2.5f));
  auto dy = std::make_shared<std::vector<float>>(uniform(n));
  auto w = std::make_shared<std::vector<float>>(uniform(C, 0.5f, 1.5f));
  auto b = std::make_shared<std::vector<float>>(uniform(C, -0.5f, 0.5f));
  auto rm = std::make_shared<std::vector<float>>(uniform(C, -0.5f, 0.5f));
  auto rv = std::make_shared<std::vector<float>>(uniform(C, 0.5f, 2.0f));
  if (!training) running = true;
  keel_bn_relu_dropout_params p;
  p.batch = N, p.channels = C, p.length = L, p.eps = 1e-5, p.exponential_average_factor = 0.1;
  p.training = training, p.p = prob, p.seed = 0x9e3779b97f4a7c15ull, p.stream = 11, p.offset = offset;
  char shape[200];
  snprintf(shape, sizeof shape, "N=%lld C=%lld L=%lld training=%d affine=%d running=%d p=%g offset=%llu", (long long)N,
           (long long)C, (long long)L, (int)training, (int)affine, (int)running, prob, (unsigned long long)offset);
  // Forward: y and the saved statistics (float sums of other orders may move them by an ulp).
  cases.push_back({"bn_relu_dropout_forward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("y", n).tol(1e-5f, 1e-5f), Out("save_mean", C).tol(1e-5f, 1e-5f),
                       Out("save_invstd", C).tol(1e-5f, 1e-5f), Out("running_mean", C).tol(1e-5f, 1e-5f),
                       Out("running_var", C).tol(1e-5f, 1e-5f)};
    std::copy(rm->begin(), rm->begin() + C, o[3].buf.begin());
    std::copy(rv->begin(), rv->begin() + C, o[4].buf.begin());
    k->bn_relu_dropout_forward(o[0].data(), o[1].data(), o[2].data(), running ? o[3].data() : nullptr,
                               running ? o[4].data() : nullptr, x->data(), affine ? w->data() : nullptr,
                               affine ? b->data() : nullptr, &p);
    return o;
  }, big});
  // Backward from the scalar forward's saved statistics.
  auto mean = std::make_shared<std::vector<float>>((size_t)C + 1);
  auto invstd = std::make_shared<std::vector<float>>((size_t)C + 1);
  auto y = std::make_shared<std::vector<float>>((size_t)n + 1);
  {
    std::vector<float> rm2(rm->begin(), rm->end()), rv2(rv->begin(), rv->end());
    keel_kernels_for(KEEL_ISA_SCALAR)->bn_relu_dropout_forward(y->data(), mean->data(), invstd->data(),
                                                               running ? rm2.data() : nullptr,
                                                               running ? rv2.data() : nullptr, x->data(),
                                                               affine ? w->data() : nullptr,
                                                               affine ? b->data() : nullptr, &p);
  }
  double sum_abs = 0;
  for (int64_t i = 0; i < n; i++) sum_abs += fabs((*dy)[i]) * 4.0;
  const float gscale = (float)(sum_abs / (C > 0 ? C : 1));
  cases.push_back({"bn_relu_dropout_backward", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("dx", n).tol(1e-5f, 1e-5f), Out("dweight", C).tol(1e-5f, 1e-5f),
                       Out("dbias", C).tol(1e-5f, 1e-5f)};
    o[1].scale.assign((size_t)C, gscale);
    o[2].scale.assign((size_t)C, gscale);
    k->bn_relu_dropout_backward(o[0].data(), o[1].data(), o[2].data(), dy->data(), x->data(), mean->data(),
                                invstd->data(), affine ? w->data() : nullptr, affine ? b->data() : nullptr, &p);
    return o;
  }, big});
  // The same backward with the decisions read off the scalar forward's y.
  cases.push_back({"bn_relu_dropout_backward_with_output", shape, [=](const keel_kernels* k) {
    std::vector<Out> o{Out("dx", n).tol(1e-5f, 1e-5f), Out("dweight", C).tol(1e-5f, 1e-5f),
                       Out("dbias", C).tol(1e-5f, 1e-5f)};
    o[1].scale.assign((size_t)C, gscale);
    o[2].scale.assign((size_t)C, gscale);
    k->bn_relu_dropout_backward_with_output(o[0].data(), o[1].data(), o[2].data(), dy->data(), x->data(), y->data(),
                                            mean->data(), invstd->data(), affine ? w->data() : nullptr, &p);
    return o;
  }, big});
}

// ---- the tables ------------------------------------------------------------------------------------

void build_tables() {
  // relu: every tail, a few long ones.
  for (int64_t n = 0; n <= 17; n++) add_relu(n);
  for (int64_t n : {31, 33, 64, 65, 97, 1000, 4099}) add_relu(n);
  add_relu(3 << 20, true);

  // dropout: every tail, every draw alignment (offset mod 4), a counter carry into the high word,
  // p = 0, 0.15, 0.5, 1.
  const uint64_t near_carry = (1ull << 34) - 6;  // draws cross block 2^32 (counter word 1 changes)
  for (double prob : {0.0, 0.15, 0.5, 1.0}) {
    for (int64_t count : {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 100, 257, 1000}) {
      for (uint64_t offset : std::initializer_list<uint64_t>{0, 1, 2, 3, 5, 1234567, near_carry}) {
        if (count > 64 && offset % 4 == 2) continue;
        add_dropout(count, 1, prob, 0x243f6a8885a308d3ull, 7 + (uint64_t)count, offset);
      }
    }
    for (int64_t rows : {1, 2, 3, 5, 8, 13, 17}) {
      for (int64_t len : {2, 3, 4, 5, 7, 8, 9, 16, 17, 33}) {
        add_dropout(rows, len, prob, 42, (1ull << 32) + 3, rows % 2 ? 3 : 4);
      }
    }
  }
  add_dropout(0, 5, 0.15, 1, 2, 3);
  add_dropout(5, 1, 0.15, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xfffffffffffffff0ull);
  add_dropout(3 << 20, 1, 0.15, 99, 5, 3, true);
  add_dropout((1 << 13) + 3, 257, 0.15, 99, 6, 1, true);

  // conv1d: lengths 1..17 and primes on a plain k3 p1 conv; channel counts for every tail; then a
  // sweep over every option (stride, padding left/right, dilation, groups, bias, K).
  for (int64_t L = 1; L <= 17; L++) add_conv(2, 3, 5, L, 3, 1, 1, 1, 1, 1, L % 2 == 1);
  for (int64_t L : {19, 23, 31, 37, 64, 101}) add_conv(2, 3, 5, L, 3, 1, 1, 1, 1, 1, true);
  for (int64_t C = 1; C <= 17; C++) add_conv(1, C, 18 - C, 13, 3, 1, 1, 1, 1, 1, C % 3 == 0);
  add_conv(0, 3, 5, 9, 3, 1, 1, 1, 1, 1, true);
  add_conv(1, 1, 1, 1, 1, 1, 0, 0, 1, 1, false);
  add_conv(1, 2, 3, 5, 7, 1, 3, 3, 1, 1, true);   // kernel wider than the input
  add_conv(2, 4, 4, 6, 3, 1, 2, 2, 1, 1, false);  // "full" padding
  {
    std::mt19937 pick(7);
    int added = 0;
    for (int64_t stride : {1, 2, 3})
      for (int64_t dil : {1, 2, 3})
        for (int64_t K : {1, 2, 3, 5})
          for (auto pads : {std::pair<int64_t, int64_t>{0, 0}, {1, 1}, {2, 0}, {0, 3}, {4, 2}})
            for (int64_t groups : {1, 2, 3}) {
              const int64_t cin_g = 1 + pick() % 5, cout_g = 1 + pick() % 6;
              const int64_t L = 1 + pick() % 24, N = 1 + pick() % 3;
              add_conv(N, cin_g * groups, cout_g * groups, L, K, stride, pads.first, pads.second, dil, groups,
                       pick() % 2 == 0);
              added++;
            }
    (void)added;
  }
  add_conv(4, 16, 16, 8192, 3, 1, 1, 1, 1, 1, false, true);
  add_conv(2, 12, 18, 6001, 5, 2, 2, 3, 2, 3, true, true);

  // linear: every tail of in/out, batch 0/1, primes.
  for (int64_t I = 1; I <= 17; I++) add_linear(3, I, 18 - I, I % 2 == 0);
  for (int64_t N : {0, 1, 2, 5, 17}) add_linear(N, 13, 7, true);
  for (int64_t O : {1, 4, 8, 15, 16, 17, 33}) add_linear(4, 31, O, O % 2 == 1);
  add_linear(7, 64, 65, true);
  add_linear(33, 130, 17, false);
  add_linear(256, 1024, 64, true, true);

  // batchnorm1d: (N, C) and (N, C, L), affine or not, running stats or not, momentum-style and
  // cumulative factors; training and eval backward; data far from zero.
  for (int64_t C = 1; C <= 17; C++) add_bn(3 + C % 4, C, 1, C % 2 == 0, C % 3 != 0, 0.1);
  for (int64_t N : {1, 2, 3, 5, 17, 64}) add_bn(N, 7, 1 + (N == 1), true, true, 0.1);
  for (int64_t L = 1; L <= 17; L++) add_bn(2, 3, L, L % 2 == 1, L % 3 != 1, L % 4 ? 0.1 : 1.0 / 3.0);
  for (int64_t L : {31, 97, 257}) add_bn(3, 5, L, true, true, 0.1);
  add_bn(1, 4, 9, true, true, 0.1);
  add_bn(1, 2, 2, false, false, 1.0);
  add_bn(5, 3, 1000, true, true, 0.1, true);
  add_bn(100, 6, 1, true, true, 0.1, true);
  add_bn(16, 32, 8192, true, true, 0.1, false, true);
  add_bn(8192, 128, 1, true, true, 0.1, false, true);

  // adam_update: every tail, every mode.
  for (int64_t n = 0; n <= 17; n++) add_adam(n, n % 2, n % 3 == 0, n % 5 == 0, n % 4 ? 0.01f : 0.0f);
  for (int mode = 0; mode < 8; mode++) add_adam(1000 + mode, mode & 1, mode & 2, mode & 4, 0.01f);
  add_adam(3 << 20, true, false, false, 0.01f, true);
  add_adam((1 << 20) + 3, false, true, false, 0.01f, true);
  for (int64_t n : {0, 1, 3, 7, 15, 16, 17, 33, 37, 64, 1001})
    for (int mode = 0; mode < 16; mode++) add_adam(n, mode & 1, mode & 2, mode & 4, mode & 8 ? 0.01f : 0.0f, false, true);

  // adam_update_multi: every tail in one list; large tensors among small and empty ones (blocks split
  // across tensors and threads).
  std::vector<int64_t> tails;
  for (int64_t n = 0; n <= 33; n++) tails.push_back(n);
  add_adam_multi(tails);
  add_adam_multi({5, 300000, 0, 4096, 4097, 17, 1}, true);
  add_adam_multi({784 * 512, 512, 512, 512 * 256, 256, 256, 256 * 10, 10}, true);

  // sgd_update: every tail, every option (no buffer; buffer with first step or not, nesterov or not,
  // maximize, weight decay, dampening), plain and with special values.
  for (int64_t n = 0; n <= 17; n++)
    add_sgd(n, n % 4 != 0, n % 3 == 0, n % 2 == 0, n % 5 == 0, n % 4 == 1 ? 0.0f : 0.01f, n % 3 == 1 ? 0.1f : 0.0f);
  for (int64_t n : {0, 1, 3, 7, 15, 16, 17, 33, 37, 64, 1001}) {
    for (int specials = 0; specials <= 1; specials++) {
      for (int mode = 0; mode < 32; mode++)
        add_sgd(n, true, mode & 1, mode & 2, mode & 4, mode & 8 ? 0.01f : 0.0f, mode & 16 ? 0.1f : 0.0f, false, specials);
      for (int mode = 0; mode < 4; mode++) add_sgd(n, false, false, false, mode & 1, mode & 2 ? 0.01f : 0.0f, 0.0f, false, specials);
    }
  }
  add_sgd(3 << 20, true, false, true, false, 0.01f, 0.0f, true);
  add_sgd((1 << 20) + 3, false, false, false, true, 0.01f, 0.0f, true);

  // fused BN -> ReLU -> Dropout: lengths for every tail, training/eval, affine or not, p = 0, 0.15, 1,
  // offsets that start mid-block.
  for (int64_t L = 1; L <= 17; L++)
    for (double prob : {0.0, 0.15, 1.0})
      add_fused(2, 3, L, L % 3 != 0, L % 2 == 1, L % 4 != 0, prob, (uint64_t)(L % 5));
  for (int64_t C : {1, 4, 7, 16}) add_fused(5, C, 13, true, true, true, 0.5, 3);
  add_fused(3, 5, 31, false, true, true, 0.15, 1);
  add_fused(16, 32, 4096, true, true, true, 0.15, 5, true);
  add_fused(16, 32, 4096, false, true, true, 0.15, 0, true);
}

}  // namespace

// Parity: each level against scalar, on one thread.
static void parity_pass(const keel_kernels* ref, const std::vector<const keel_kernels*>& levels) {
  keel_set_num_threads(1);
  for (const Case& c : cases) {
    const std::vector<Out> want = c.run(ref);
    checks++;
    guards_intact(c, ref, want);
    for (const keel_kernels* k : levels) {
      if (k == ref) continue;
      compare(c, k, c.run(k), want);
    }
  }
  printf("parity: %zu cases x %zu levels; largest |diff|/tolerance per level and kernel (0 = bitwise):\n",
         cases.size(), levels.size());
  for (const keel_kernels* k : levels) {
    if (k == ref) continue;
    printf("  %s:", keel_isa_name(k->isa));
#define KEEL_PRINT_WORST(name, type) \
  printf(" %s %.2g", #name, worst[std::string(keel_isa_name(k->isa)) + " " + #name]);
    KEEL_KERNEL_LIST(KEEL_PRINT_WORST)
#undef KEEL_PRINT_WORST
    printf("\n");
  }
}

// Determinism: bitwise equal outputs for 1, 2, 3 and 4 threads, every level, every kernel, on the
// large cases (every kernel has one), where the kernels split their work.
static void determinism_pass(const std::vector<const keel_kernels*>& levels, bool verbose) {
  size_t runs = 0;
  for (const keel_kernels* k : levels) {
    for (const Case& c : cases) {
      if (!c.big) continue;
      const auto start = std::chrono::steady_clock::now();
      keel_set_num_threads(1);
      const std::vector<Out> one = c.run(k);
      for (int threads : keel_test_threads({2, 3, 4})) {
        keel_set_num_threads(threads);
        const std::vector<Out> got = c.run(k);
        runs++;
        checks++;
        if (!guards_intact(c, k, got)) continue;
        for (size_t o = 0; o < one.size(); o++) {
          if (memcmp(one[o].buf.data(), got[o].buf.data(), (size_t)one[o].n * 4) != 0) {
            int64_t i = 0;
            while (same_bits(one[o].buf[i], got[o].buf[i])) i++;
            char msg[200];
            snprintf(msg, sizeof msg, "not bitwise deterministic: %d threads vs 1, index %lld: expected %.9g, got %.9g",
                     threads, (long long)i, one[o].buf[i], got[o].buf[i]);
            report(c, k, one[o].name.c_str(), msg);
          }
        }
      }
      if (verbose)
        printf("  determinism %s %s %s: %.2f s\n", keel_isa_name(k->isa), c.kernel, c.shape.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  keel_set_num_threads(1);
  std::string counts;
  for (int threads : keel_test_threads({2, 3, 4})) counts += (counts.empty() ? "" : ", ") + std::to_string(threads);
  printf("determinism: %zu runs (threads %s against 1)\n", runs, counts.c_str());
}

int main(int argc, char** argv) {
  const bool skip_determinism = argc > 1 && strcmp(argv[1], "--parity-only") == 0;
  // --determinism-only: ThreadSanitizer's run (.ci/sanitize), where the one-thread parity pass has
  // nothing to race with and was most of the time.
  const bool skip_parity = argc > 1 && strcmp(argv[1], "--determinism-only") == 0;
  const bool verbose = getenv("KEEL_PARITY_VERBOSE") != nullptr;
  if (!keel_test_levels_valid()) return 2;
  build_tables();
  const keel_kernels* ref = keel_kernels_for(KEEL_ISA_SCALAR);
  std::vector<const keel_kernels*> levels;
  for (int i = 0; i <= KEEL_ISA_NEON; i++)
    if (const keel_kernels* k = keel_test_level((keel_isa)i)) levels.push_back(k);

  // Every kernel of the table must be exercised by some case.
  std::vector<std::string> uncovered;
#define KEEL_COVERED(name, type)                                   \
  {                                                                \
    bool found = false;                                            \
    for (const Case& c : cases) found |= strcmp(c.kernel, #name) == 0; \
    if (!found) uncovered.push_back(#name);                        \
  }
  KEEL_KERNEL_LIST(KEEL_COVERED)
#undef KEEL_COVERED
  for (const std::string& u : uncovered) printf("note: kernel %s has no case in this file\n", u.c_str());

  for (const keel_kernels* k : levels) {
    printf("level %-6s:", keel_isa_name(k->isa));
#define KEEL_PRINT_VARIANT(name, type) printf(" %s=%s", #name, k->name##_variant);
    KEEL_KERNEL_LIST(KEEL_PRINT_VARIANT)
#undef KEEL_PRINT_VARIANT
    printf("\n");
  }

  if (!skip_parity) parity_pass(ref, levels);
  if (!skip_determinism) determinism_pass(levels, verbose);

  printf("keel parity tests: %zu level(s), %d check(s), %d failure(s)%s\n", levels.size(), checks, failures,
         failures > kMaxReports ? " (first ones printed)" : "");
  return failures == 0 ? 0 : 1;
}
