// Optimiser updates, AVX2: the kernels of optim-simd.h over 8 float32 lanes, the fused ops in two
// halves of 4 double lanes. Bitwise identical to the scalar variant and the reference.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include <atomic>

#include "optim.h"
#include "parallel.h"

namespace keel {
namespace {

struct V {
  using vec = __m256;
  static constexpr int W = 8;
  static vec loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, vec v) { _mm256_storeu_ps(p, v); }
  static vec set1(float f) { return _mm256_set1_ps(f); }
  static vec add(vec a, vec b) { return _mm256_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
  static vec div(vec a, vec b) { return _mm256_div_ps(a, b); }
  static vec sqrt(vec a) { return _mm256_sqrt_ps(a); }
  static vec neg(vec a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  static __m128 fused_half(__m128 x, __m128 y, __m128 z) {
    return _mm256_cvtpd_ps(_mm256_add_pd(_mm256_cvtps_pd(x), _mm256_mul_pd(_mm256_cvtps_pd(y), _mm256_cvtps_pd(z))));
  }
  static vec fused(vec x, vec y, vec z) {
    const __m128 lo = fused_half(_mm256_castps256_ps128(x), _mm256_castps256_ps128(y), _mm256_castps256_ps128(z));
    const __m128 hi = fused_half(_mm256_extractf128_ps(x, 1), _mm256_extractf128_ps(y, 1), _mm256_extractf128_ps(z, 1));
    return _mm256_set_m128(hi, lo);
  }
  // max_ps(a, b) is a > b ? a : b (b when either is NaN); unordered lanes become NaN.
  static vec max_nan(vec a, vec b) {
    return _mm256_blendv_ps(_mm256_max_ps(a, b), _mm256_set1_ps(NAN), _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
  }
  static bool any_nan(vec a) { return _mm256_movemask_ps(_mm256_cmp_ps(a, a, _CMP_UNORD_Q)) != 0; }
};

#include "optim-simd.h"

}  // namespace

void f32_adam_update__avx2(float* param, float* m, float* v, float* vmax, const float* grad,
                           const keel_adam_params* p) {
  adam_update_simd(param, m, v, vmax, grad, p);
}

void f32_adam_update_multi__avx2(const keel_adam_tensor* ts, int64_t count) { adam_update_multi_simd(ts, count); }

void f32_sgd_update__avx2(float* param, float* buf, const float* grad, const keel_sgd_params* p) {
  sgd_update_simd(param, buf, grad, p);
}

int64_t f32_nonfinite_index__avx2(const float* x, const keel_eltwise_params* p) { return nonfinite_index_simd(x, p); }

}  // namespace keel
