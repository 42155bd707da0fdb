// ReLU, AVX-512: 16 lanes, the tail under a k-mask. Bitwise equal to the scalar twin.
#include <immintrin.h>

#include "keel.h"
#include "relu.h"

namespace keel {

void f32_relu_forward__avx512(float* y, const float* x, const keel_eltwise_params* p) {
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < p->count; i += 16) {
    const int64_t left = p->count - i;
    const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    // x < 0 → 0; NaN and -0 pass through unchanged, as in the scalar twin.
    _mm512_mask_storeu_ps(y + i, m, _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ), zero));
  }
}

void f32_relu_backward__avx512(float* dx, const float* dy, const float* y, const keel_eltwise_params* p) {
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < p->count; i += 16) {
    const int64_t left = p->count - i;
    const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    const __mmask16 keep = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, y + i), zero, _CMP_GT_OQ);
    _mm512_mask_storeu_ps(dx + i, m, _mm512_maskz_loadu_ps(keep & m, dy + i));
  }
}

}  // namespace keel
