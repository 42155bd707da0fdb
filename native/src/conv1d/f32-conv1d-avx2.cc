// Conv1d, AVX2+FMA: the kernels of conv1d-simd.h over 8-lane vectors with vmaskmov (borders,
// tails) and masked gathers (stride > 1). Register tiles (16 ymm): 4 output rows x 3 ymm, 6 x 2 or
// 12 x 1; backward-weight 2 output channels x 3 taps x 16 input channels (k = 3; k <= 5 in
// general), or 3 channels x 4 (channel, tap) columns for longer kernels.
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
  using vec = __m256;
  using mask = __m256i;
  static constexpr int W = 8;
  static constexpr int NR_MAX = 3;
  static constexpr int MR_MAX(int nr) { return nr >= 3 ? 4 : nr == 2 ? 6 : 12; }
  static constexpr int DW_MC = 3, DW_NQ = 4;
  static vec zero() { return _mm256_setzero_ps(); }
  static vec loadu(const float* p) { return _mm256_loadu_ps(p); }
  static vec loadu_mask(const float* p, mask m) { return _mm256_maskload_ps(p, m); }
  static vec gather(const float* base, const int32_t* idx, mask m) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, _mm256_load_si256((const __m256i*)idx),
                                    _mm256_castsi256_ps(m), 4);
  }
  static void storeu(float* p, vec v) { _mm256_storeu_ps(p, v); }
  static void storeu_mask(float* p, vec v, mask m) { _mm256_maskstore_ps(p, m, v); }
  static vec bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static vec set1(float f) { return _mm256_set1_ps(f); }
  static vec fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
  static vec add(vec a, vec b) { return _mm256_add_ps(a, b); }
  static float hsum(vec v) {
    __m128 b = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    b = _mm_add_ps(b, _mm_movehl_ps(b, b));
    b = _mm_add_ss(b, _mm_shuffle_ps(b, b, 1));
    return _mm_cvtss_f32(b);
  }
  // rows[i][l] -> rows[l][i], W x W (simd-transpose.h).
  static void transpose(vec r[8]) { transpose8x8_ps(r); }
  static mask mask_range(int lo, int hi) {
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(hi), iota),
                            _mm256_cmpgt_epi32(iota, _mm256_set1_epi32(lo - 1)));
  }
  static mask mask_bits(uint32_t bits) {
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), lane), lane);
  }
};

#include "conv1d-simd.h"
#include "conv1d-stats-simd.h"

}  // namespace

void f32_conv1d_forward__avx2(float* y, const float* x, const float* w, const float* bias,
                              const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_forward__scalar(y, x, w, bias, p);
  conv1d_forward_simd(y, x, w, bias, p);
}

void f32_conv1d_backward_data__avx2(float* dx, const float* dy, const float* w,
                                    const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_backward_data__scalar(dx, dy, w, p);
  conv1d_backward_data_simd(dx, dy, w, p);
}

void f32_conv1d_backward_weight__avx2(float* dw, const float* x, const float* dy,
                                      const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_backward_weight__scalar(dw, x, dy, p);
  conv1d_backward_weight_simd(dw, x, dy, p);
}

void f32_conv1d_backward_bias__avx2(float* db, const float* dy, const keel_conv1d_params* p) {
  conv1d_backward_bias_simd(db, dy, p);
}

void f32_conv1d_forward_stats__avx2(float* y, double* mean, double* var, const float* x, const float* w,
                                    const float* bias, const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_forward_stats__scalar(y, mean, var, x, w, bias, p);
  conv1d_forward_stats_simd(y, mean, var, x, w, bias, p);
}

void f32_conv1d_relu_forward__avx2(float* y, const float* x, const float* w, const float* bias,
                                   const keel_conv1d_params* p) {
  if (!simd_ok(p)) return f32_conv1d_relu_forward__scalar(y, x, w, bias, p);
  conv1d_relu_forward_simd(y, x, w, bias, p);
}

}  // namespace keel
