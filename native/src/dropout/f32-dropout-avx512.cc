// Dropout and Dropout1d, AVX-512: vectorised Philox4x32-10 (philox-avx512.h, 8 blocks per pass, two
// passes = 64 draws per step) and masked multiplies: y = maskz_mul(keep, x, scale), so dropped lanes
// are +0 whatever x holds. Bitwise equal to the scalar variant (f32-dropout-scalar.cc).
//
// Threads: the draws are cut into fixed tasks (kTaskElems elements, at least one row), each task
// computing its own draws from its first draw index, so any thread count gives the same bits.
// An unaligned first draw (d mod 4 != 0) is handled by a funnel over consecutive 64-draw steps.
#include <immintrin.h>
#include <stdint.h>

#include "dropout.h"
#include "keel.h"
#include "parallel.h"
#include "philox-avx512.h"
#include "philox.h"
#include "store-choice.h"

// GCC 12's intrinsic headers self-initialise their "undefined" vectors (GCC bug 105593), which
// -Wmaybe-uninitialized reports at every inlined multiply/shift: silence that false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace keel {

namespace {

constexpr int64_t kTaskElems = 1 << 16;  // elements per task (a task is at least one row)

// Calls f(bits, i) for i = 0, 64, ... < n, with bit j of `bits` the keep bit of draw d + i + j.
// The draws are made 128 at a time, in four independent Philox passes: with two (64 draws), each
// step waited on one pass's ~50-cycle chain of rounds and one thread made 0.28 ns a draw.
template <class F>
inline __attribute__((always_inline)) void for_keep64(const Philox512Key& k, uint64_t d, int64_t n, const F& f) {
  const unsigned s = (unsigned)(d & 3);
  uint64_t b = d >> 2;
  uint64_t g[2];  // draws 4b .. 4b + 127 of the latest group
  const auto next = [&] {
    uint32_t w[4];
    philox512_keep_words<4>(k, b, w);
    g[0] = (uint64_t)w[0] | (uint64_t)w[1] << 32, g[1] = (uint64_t)w[2] | (uint64_t)w[3] << 32;
    b += 32;
  };
  if (s == 0) {
    for (int64_t i = 0; i < n; i += 128) {
      next();
      f(g[0], i);
      if (i + 64 < n) f(g[1], i + 64);
    }
  } else {
    // Draws d + i .. d + i + 63 start at bit s of the group's first word: the first 64 lie in one
    // group, the second 64 end s draws into the next, made only when those draws are wanted.
    next();
    for (int64_t i = 0; i < n; i += 128) {
      const uint64_t c0 = g[0], c1 = g[1];
      f((c0 >> s) | (c1 << (64 - s)), i);
      if (i + 64 < n) {
        if (i + 128 - s < n) next();
        f((c1 >> s) | (g[0] << (64 - s)), i + 64);
      }
    }
  }
}

inline __mmask16 tail16(int64_t left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1); }

// out[i] = keep_i ? in[i] * scale : 0 for 16 elements under `keep`, `m` the in-range lanes.
inline __attribute__((always_inline)) void apply16(float* out, const float* in, __mmask16 keep, __mmask16 m, __m512 scale) {
  if (m == 0xFFFF) {
    _mm512_storeu_ps(out, _mm512_maskz_mul_ps(keep, _mm512_loadu_ps(in), scale));
  } else {
    _mm512_mask_storeu_ps(out, m, _mm512_maskz_mul_ps(keep, _mm512_maskz_loadu_ps(m, in), scale));
  }
}

// Bytes read ahead by software prefetch (8 steps of 64 draws). A step's 64 draws are ~150
// instructions of Philox, so few of its loads are in flight at once, and on the AMD EPYC Zen 5
// (family 26) the hardware prefetchers did not cover them: one thread took 5.8-7.7 ms over 2^23
// elements, 3.4 ms with this (1-8 KB ahead all within 2%); bench dropout.fwd at 2 threads went from
// 2.9-3.2 to 1.3-1.8 ms. A prefetch never faults; the address is formed as an integer, since a
// pointer past the array's end would be undefined.
constexpr uintptr_t kPrefetchBytes = 2048;

// Outputs at least this large may be written with non-temporal stores: on the CPU this kernel was
// first tuned on (32 MiB arrays, two in/out pairs as in forward + backward) 4.8 ms against 6.4 ms
// with ordinary stores, which first read every output line; one pair 2.35 ms against 2.5 ms. On the
// Zen 5 ordinary stores were faster, so the first such calls measure which (store-choice.h).
constexpr int64_t kStreamBytes = 16 << 20;
StoreChoice large_output_stores;

// Dropout (one draw per element): n elements from draw d. Stream: whole vectors are written with
// non-temporal stores, `out` must then be 64-byte aligned.
template <bool Stream>
void apply_elements(float* out, const float* in, int64_t n, uint64_t d, const Philox512Key& k, __m512 scale) {
  for_keep64(k, d, n, [&](uint64_t bits, int64_t i) {
    const int64_t left = n - i;
    if (left >= 64) {
      for (int j = 0; j < 4; j++) _mm_prefetch((const char*)((uintptr_t)(in + i + 16 * j) + kPrefetchBytes), _MM_HINT_T0);
      for (int j = 0; j < 4; j++) {
        const __m512 v = _mm512_maskz_mul_ps((__mmask16)(bits >> (16 * j)), _mm512_loadu_ps(in + i + 16 * j), scale);
        if (Stream) {
          _mm512_stream_ps(out + i + 16 * j, v);
        } else {
          _mm512_storeu_ps(out + i + 16 * j, v);
        }
      }
    } else {
      for (int j = 0; j < 4 && 16 * j < left; j++)
        apply16(out + i + 16 * j, in + i + 16 * j, (__mmask16)(bits >> (16 * j)), tail16(left - 16 * j), scale);
    }
  });
}

// Streams when asked and `out` can be aligned: the first elements up to a 64-byte boundary go
// through ordinary stores (the draws follow the elements, so the split changes no bit).
void apply_elements_any(float* out, const float* in, int64_t n, uint64_t d, const Philox512Key& k, __m512 scale,
                        bool nt) {
  const uintptr_t a = (uintptr_t)out;
  if (nt && n >= 256 && (a & 3) == 0) {
    const int64_t h = (int64_t)(((64 - (a & 63)) & 63) >> 2);
    if (h) apply_elements<false>(out, in, h, d, k, scale);
    apply_elements<true>(out + h, in + h, n - h, d + (uint64_t)h, k, scale);
  } else {
    apply_elements<false>(out, in, n, d, k, scale);
  }
}

// One row of L elements, all kept (scaled) or all dropped (+0).
inline void apply_row(float* out, const float* in, int64_t L, bool keep, __m512 scale) {
  const __mmask16 kk = keep ? (__mmask16)0xFFFF : (__mmask16)0;
  int64_t l = 0;
  for (; l + 16 <= L; l += 16) _mm512_storeu_ps(out + l, _mm512_maskz_mul_ps(kk, _mm512_loadu_ps(in + l), scale));
  if (l < L) apply16(out + l, in + l, kk, tail16(L - l), scale);
}

// nt: whole vectors of one-element rows are written with non-temporal stores.
void apply_with(float* out, const float* in, const keel_dropout_params* p, bool nt) {
  const int64_t count = p->count, L = p->length;
  const uint64_t threshold = dropout_threshold(p->p);
  const __m512 scale = _mm512_set1_ps(dropout_scale(p->p));
  const uint64_t seed = p->seed, stream = p->stream, offset = p->offset;
  const int64_t rows_per_task = L >= kTaskElems ? 1 : kTaskElems / L;
  const int64_t tasks = (count + rows_per_task - 1) / rows_per_task;
  const int64_t grain = grain_for(rows_per_task * L * (int64_t)(2 * sizeof(float)));
  parallel_for(tasks, grain, [&](int64_t t0, int64_t t1) {
    Philox512Key k;
    philox512_key_init(&k, seed, stream, threshold);
    for (int64_t t = t0; t < t1; t++) {
      const int64_t r0 = t * rows_per_task, nr = count - r0 < rows_per_task ? count - r0 : rows_per_task;
      const uint64_t d = offset + (uint64_t)r0;
      if (k.none) {  // p = 1: nothing kept, every output +0 (also for NaN inputs)
        for (int64_t i = 0; i < nr * L; i += 16) _mm512_mask_storeu_ps(out + r0 * L + i, tail16(nr * L - i), _mm512_setzero_ps());
      } else if (L == 1) {
        if (threshold == 0) {  // p = 0: every draw kept, no need to make them
          for (int64_t i = 0; i < nr; i += 16) apply16(out + r0 + i, in + r0 + i, 0xFFFF, tail16(nr - i), scale);
        } else {
          apply_elements_any(out + r0, in + r0, nr, d, k, scale, nt);
        }
      } else {
        for_keep64(k, d, nr, [&](uint64_t bits, int64_t i) {
          const int64_t n = nr - i < 64 ? nr - i : 64;
          for (int64_t j = 0; j < n; j++) {
            const int64_t r = r0 + i + j;
            apply_row(out + r * L, in + r * L, L, (bits >> j) & 1, scale);
          }
        });
      }
    }
    if (nt) _mm_sfence();  // order the non-temporal stores before the pool reports the task done
  });
}

void apply(float* out, const float* in, const keel_dropout_params* p) {
  if (p->count <= 0 || p->length <= 0) return;
  const int64_t bytes = p->count * p->length * (int64_t)sizeof(float);
  if (p->length == 1 && bytes >= kStreamBytes) {
    large_output_stores.run(bytes, [&](bool nt) { apply_with(out, in, p, nt); });
  } else {
    apply_with(out, in, p, false);
  }
}

}  // namespace

void u8_dropout_mask__avx512(uint8_t* mask, const keel_dropout_params* p) {
  const int64_t count = p->count;
  if (count <= 0) return;
  const uint64_t threshold = dropout_threshold(p->p);
  const uint64_t seed = p->seed, stream = p->stream, offset = p->offset;
  const int64_t tasks = (count + kTaskElems - 1) / kTaskElems;
  parallel_for(tasks, grain_for(kTaskElems * 8), [&](int64_t t0, int64_t t1) {
    Philox512Key k;
    philox512_key_init(&k, seed, stream, threshold);
    const __m512i one = _mm512_set1_epi8(1);
    for (int64_t t = t0; t < t1; t++) {
      const int64_t r0 = t * kTaskElems, nr = count - r0 < kTaskElems ? count - r0 : kTaskElems;
      uint8_t* m = mask + r0;
      for_keep64(k, offset + (uint64_t)r0, nr, [&](uint64_t bits, int64_t i) {
        const int64_t left = nr - i;
        const __m512i v = _mm512_maskz_mov_epi8((__mmask64)bits, one);
        if (left >= 64) {
          _mm512_storeu_si512(m + i, v);
        } else {
          _mm512_mask_storeu_epi8(m + i, (__mmask64)((1ull << left) - 1), v);
        }
      });
    }
  });
}

void f32_dropout_forward__avx512(float* y, const float* x, const keel_dropout_params* p) { apply(y, x, p); }

void f32_dropout_backward__avx512(float* dx, const float* dy, const keel_dropout_params* p) { apply(dx, dy, p); }

}  // namespace keel
