// Optimiser updates, AVX-512: the kernels of optim-simd.h over 16 float32 lanes, the fused ops in
// two halves of 8 double lanes. Bitwise identical to the scalar variant and the reference.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include <atomic>

#include "optim.h"
#include "parallel.h"

// GCC 12's intrinsic headers self-initialise their "undefined" vectors (GCC bug 105593), which
// -Wmaybe-uninitialized reports at every inlined conversion and extract: silence that false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace keel {
namespace {

struct V {
  using vec = __m512;
  static constexpr int W = 16;
  static vec loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, vec v) { _mm512_storeu_ps(p, v); }
  static vec set1(float f) { return _mm512_set1_ps(f); }
  static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
  static vec mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
  static vec div(vec a, vec b) { return _mm512_div_ps(a, b); }
  static vec sqrt(vec a) { return _mm512_sqrt_ps(a); }
  static vec neg(vec a) { return _mm512_xor_ps(a, _mm512_set1_ps(-0.0f)); }
  static __m512d fused_half(__m256 x, __m256 y, __m256 z) {
    return _mm512_add_pd(_mm512_cvtps_pd(x), _mm512_mul_pd(_mm512_cvtps_pd(y), _mm512_cvtps_pd(z)));
  }
  static vec fused(vec x, vec y, vec z) {
    const __m512d lo = fused_half(_mm512_castps512_ps256(x), _mm512_castps512_ps256(y), _mm512_castps512_ps256(z));
    const __m512d hi = fused_half(_mm512_extractf32x8_ps(x, 1), _mm512_extractf32x8_ps(y, 1), _mm512_extractf32x8_ps(z, 1));
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
  }
  // max_ps(a, b) is a > b ? a : b (b when either is NaN); unordered lanes become NaN.
  static vec max_nan(vec a, vec b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), _mm512_max_ps(a, b), _mm512_set1_ps(NAN));
  }
  static bool any_nan(vec a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q) != 0; }
};

#include "optim-simd.h"

}  // namespace

void f32_adam_update__avx512(float* param, float* m, float* v, float* vmax, const float* grad,
                             const keel_adam_params* p) {
  adam_update_simd(param, m, v, vmax, grad, p);
}

void f32_adam_update_multi__avx512(const keel_adam_tensor* ts, int64_t count) { adam_update_multi_simd(ts, count); }

void f32_sgd_update__avx512(float* param, float* buf, const float* grad, const keel_sgd_params* p) {
  sgd_update_simd(param, buf, grad, p);
}

int64_t f32_nonfinite_index__avx512(const float* x, const keel_eltwise_params* p) { return nonfinite_index_simd(x, p); }

}  // namespace keel
