// BatchNorm1d, AVX-512 (16 lanes, tails under a k-mask). Same definitions as the scalar port of
// src/ref/batchnorm1d.ts (see f32-batchnorm1d-scalar.cc); this file computes them in float32 FMA
// lanes with double combination, within test/tolerances.ts (train/backward 1e-5, eval 1e-6):
//
// Work split: one task per channel (train forward, backward: a channel is N rows of L floats,
// 256 KB at the bench shape, which stays in L2 between the passes, so x comes from memory once),
// one task per (n, c) row (eval forward: a single stream in memory order). Tasks are fixed by the
// shape, each is computed by one thread in a fixed order: bitwise identical for any thread count.
//
// Reductions ("block sums"): a row is cut into blocks of BLOCK = 64 vectors (1024 floats); within a
// block, 4 float32 accumulators of 16 lanes (at most 16 adds per lane); at the end of each block
// the 4 accumulators are widened to double and added, in order, into one 8-lane double
// accumulator; the channel's sum is its horizontal sum. Block boundaries depend on L only.
//
// Training forward, channel c with M = N*L values:
//   pass 1  s = x[first element of c];  S1 = sum fl(x_i - s)     (shifted data: the float32 terms
//           are deviations, so a large mean (1e3, std 0.1) costs nothing);  mean = s + S1 / M (double)
//   pass 2  mean = m_hi + m_lo (two floats);  d_i = fl(fl(x_i - m_hi) - m_lo);  S2 = sum d_i^2 (FMA);
//           var = S2 / M;  invstd = 1 / sqrt(var + eps)   (never E[x^2] - E[x]^2)
//   pass 3  y_i = fma(d_i, a, b),  a = fl(invstd * w),  b = fl(b)   (|error| <= ~3 ulp of |xhat w|)
//   running stats exactly as the scalar variant (double).
// Eval forward: d = x - rm (rm is a float: one rounding), a = invstd * w split a_hi + a_lo,
//   y = fma(d, a_hi, fma(d, a_lo, b)).
// Backward, channel c (mu, is the given float mean/invstd):
//   pass 1  Sdy = sum dy_i,  Sdx = sum dy_i * fl(x_i - mu) (FMA);  dbias = Sdy,  dweight = is * Sdx
//   pass 2  training: dx = fma(x - mu, C3, fma(dy, C1, C2)) with C1 = k, C2 = -k Sdy/M,
//           C3 = -k is dweight/M (k = w is, all rounded from double); eval: dx = fma(dy, k_hi, dy k_lo).
#include <immintrin.h>
#include <math.h>

#include "batchnorm1d.h"
#include "keel.h"
#include "parallel.h"

namespace keel {
namespace {

struct V {
  static constexpr int64_t W = 16;
  using F = __m512;
  using D = __m512d;
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static __mmask16 mask(int64_t n) { return (__mmask16)((1u << n) - 1); }
  // Loads the first n < W floats; the other lanes read as 0.
  static F load_tail(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void store_tail(float* p, F v, int64_t n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  // Lanes >= n set to 0.
  static F keep(F v, int64_t n) { return _mm512_maskz_mov_ps(mask(n), v); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static D dzero() { return _mm512_setzero_pd(); }
  // acc + widen(v), lanes 0-7 then 8-15.
  static D widen_add(D acc, F v) {
    acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    return _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
  }
  static double hsum(D v) {
    // Fixed order: 8 -> 4 -> 2 -> 1.
    const __m256d a = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    const __m128d b = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(b, _mm_unpackhi_pd(b, b)));
  }
  static void prefetch(const float* p) { _mm_prefetch((const char*)p, _MM_HINT_T0); }
};

#define KEEL_BN_SUFFIX(name) name##__avx512
#include "batchnorm1d-simd.inc"
#undef KEEL_BN_SUFFIX

}  // namespace
}  // namespace keel
