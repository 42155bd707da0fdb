// Conv1d, AVX-512: the kernels of conv1d-simd.h over 16-lane vectors with k-masks (borders, tails)
// and masked gathers (stride > 1). Register tiles: up to 8 output rows x 3 zmm (48 positions),
// 10 x 2 and 12 x 1 for shorter rows; backward-weight 4 output channels x 3 taps x 32 input channels
// (k = 3; k <= 5 in general), or 4 channels x 6 (channel, tap) columns for longer kernels.
#include <immintrin.h>
#include <stdint.h>

#include <utility>

#include "conv1d.h"
#include "conv1d-stats.h"
#include "keel.h"
#include "parallel.h"
#include "simd-transpose.h"

namespace keel {
namespace {

struct V {
  using vec = __m512;
  using mask = __mmask16;
  static constexpr int W = 16;
  // 32 zmm: MR x NR accumulators + NR input vectors + 1 broadcast. 8 x 3 rather than 6 x 4: in L1
  // the 8 x 3 tile runs at ~96% of FMA peak, 6 x 4 at ~90% (GCC's schedule of the latter spills).
  // 10 x 2, not 12 x 2: with the k = 3 taps unrolled, GCC spilled 11-12 x 2 tiles' registers (rows
  // of 30 with packed weights: 10 x 2 0.87x the time of 11 x 2 unpacked, 11 x 2 packed 0.93x).
  static constexpr int NR_MAX = 3;
  static constexpr int MR_MAX(int nr) { return nr >= 3 ? 8 : nr == 2 ? 10 : 12; }
  static constexpr int DW_MC = 4, DW_NQ = 6;
  static vec zero() { return _mm512_setzero_ps(); }
  static vec loadu(const float* p) { return _mm512_loadu_ps(p); }
  static vec loadu_mask(const float* p, mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static vec gather(const float* base, const int32_t* idx, mask m) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, _mm512_load_si512((const void*)idx), base, 4);
  }
  static void storeu(float* p, vec v) { _mm512_storeu_ps(p, v); }
  static void storeu_mask(float* p, vec v, mask m) { _mm512_mask_storeu_ps(p, m, v); }
  static vec bcast(const float* p) { return _mm512_set1_ps(*p); }
  static vec set1(float f) { return _mm512_set1_ps(f); }
  static vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
  static float hsum(vec v) {
    // Fixed tree: 16 -> 8 -> 4 -> 2 -> 1.
    __m256 a = _mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
    __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    b = _mm_add_ps(b, _mm_movehl_ps(b, b));
    b = _mm_add_ss(b, _mm_shuffle_ps(b, b, 1));
    return _mm_cvtss_f32(b);
  }
  // rows[i][l] -> rows[l][i], W x W (simd-transpose.h).
  static void transpose(vec r[16]) { transpose16x16_ps(r); }
  static mask mask_range(int lo, int hi) {
    return (mask)((((uint32_t)1 << hi) - 1) & ~(((uint32_t)1 << lo) - 1));
  }
  static mask mask_bits(uint32_t bits) { return (mask)bits; }
};

#include "conv1d-simd.h"
#include "conv1d-stats-simd.h"

}  // namespace

void f32_conv1d_forward__avx512(float* y, const float* x, const float* w, const float* bias,
                                const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_forward__scalar(y, x, w, bias, p);
  conv1d_forward_simd(y, x, w, bias, p);
}

void f32_conv1d_backward_data__avx512(float* dx, const float* dy, const float* w,
                                      const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_backward_data__scalar(dx, dy, w, p);
  conv1d_backward_data_simd(dx, dy, w, p);
}

void f32_conv1d_backward_weight__avx512(float* dw, const float* x, const float* dy,
                                        const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_backward_weight__scalar(dw, x, dy, p);
  conv1d_backward_weight_simd(dw, x, dy, p);
}

void f32_conv1d_backward_bias__avx512(float* db, const float* dy, const keel_conv1d_params* p) {
  conv1d_backward_bias_simd(db, dy, p);
}

void f32_conv1d_forward_stats__avx512(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_forward_stats__scalar(y, mean, var, x, w, bias, p);
  conv1d_forward_stats_simd(y, mean, var, x, w, bias, p);
}

void f32_conv1d_relu_forward__avx512(float* y, const float* x, const float* w, const float* bias,
                                     const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_relu_forward__scalar(y, x, w, bias, p);
  conv1d_relu_forward_simd(y, x, w, bias, p);
}

}  // namespace keel
