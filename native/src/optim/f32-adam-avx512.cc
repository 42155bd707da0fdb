// Adam/AdamW update, AVX-512, 16 elements at a time, bitwise identical to the reference:
//  - a single float32 op on float32 operands (mul, div, sqrt, add) rounds the same whether done in
//    float32 or in double then rounded, so those run in float32 lanes;
//  - the fused ops (x + y·z, PyTorch's FMA-based add_ with alpha and addcmul_) are formed in double
//    (the product of two floats is exact there) and rounded once, as the reference does — in two
//    halves of 8 double lanes. A true fused multiply-add could differ from that in rare ties.
#include <immintrin.h>
#include <math.h>

#include "optim.h"

namespace keel {

// round_to_float(x + y·z) with x, y, z float32, the sum formed in double.
static inline __m512 fused_add_mul(__m512 x, __m512 y, __m512 z) {
  const __m512d lo = _mm512_add_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(x)),
                                   _mm512_mul_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(y)), _mm512_cvtps_pd(_mm512_castps512_ps256(z))));
  const __m512d hi = _mm512_add_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1)),
                                   _mm512_mul_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(y, 1)), _mm512_cvtps_pd(_mm512_extractf32x8_ps(z, 1))));
  return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}

void f32_adam_update__avx512(float* param, float* m, float* v, float* vmax, const float* grad,
                             const keel_adam_params* p) {
  const __m512 b1 = _mm512_set1_ps(p->beta1), b2 = _mm512_set1_ps(p->beta2);
  const __m512 omb1 = _mm512_set1_ps(p->one_minus_beta1), omb2 = _mm512_set1_ps(p->one_minus_beta2);
  const __m512 wd = _mm512_set1_ps(p->weight_decay), decay = _mm512_set1_ps(p->decay);
  const __m512 c2 = _mm512_set1_ps(p->c2_sqrt), eps = _mm512_set1_ps(p->eps), neg = _mm512_set1_ps(p->neg_step);
  const __m512 nan = _mm512_set1_ps(NAN);
  for (int64_t i = 0; i < p->count; i += 16) {
    const int64_t left = p->count - i;
    const __mmask16 k = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    __m512 th = _mm512_maskz_loadu_ps(k, param + i);
    __m512 g = _mm512_maskz_loadu_ps(k, grad + i);
    if (p->maximize) g = _mm512_xor_ps(g, _mm512_set1_ps(-0.0f));  // −g, as the reference (−0 for +0)
    if (p->decoupled) th = _mm512_mul_ps(th, decay);
    else if (p->weight_decay != 0.0f) g = fused_add_mul(g, wd, th);
    const __m512 mi = fused_add_mul(_mm512_mul_ps(_mm512_maskz_loadu_ps(k, m + i), b1), omb1, g);
    const __m512 vi = fused_add_mul(_mm512_mul_ps(_mm512_maskz_loadu_ps(k, v + i), b2), _mm512_mul_ps(omb2, g), g);
    _mm512_mask_storeu_ps(m + i, k, mi);
    _mm512_mask_storeu_ps(v + i, k, vi);
    __m512 s = vi;
    if (p->amsgrad) {
      const __m512 old = _mm512_maskz_loadu_ps(k, vmax + i);
      // Math.max: NaN if either is NaN, else the larger.
      s = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(old, vi, _CMP_UNORD_Q), _mm512_max_ps(old, vi), nan);
      _mm512_mask_storeu_ps(vmax + i, k, s);
    }
    const __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(s), c2), eps);
    th = _mm512_add_ps(th, _mm512_div_ps(_mm512_mul_ps(neg, mi), denom));
    _mm512_mask_storeu_ps(param + i, k, th);
  }
}

}  // namespace keel
