// ReLU, AVX2: 8 lanes, a masked tail (maskload/maskstore) so no element is touched twice.
// Same results as the scalar twin bit for bit: y = x < 0 ? 0 : x keeps NaN and -0 (blendv on the
// sign-aware compare), dx = y > 0 ? dy : 0.
#include <immintrin.h>

#include "keel.h"
#include "relu.h"

namespace keel {

static inline __m256i tail_mask(int64_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

void f32_relu_forward__avx2(float* y, const float* x, const keel_eltwise_params* p) {
  const __m256 zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= p->count; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    _mm256_storeu_ps(y + i, _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LT_OQ)));
  }
  if (i < p->count) {
    const __m256i m = tail_mask(p->count - i);
    const __m256 v = _mm256_maskload_ps(x + i, m);
    _mm256_maskstore_ps(y + i, m, _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LT_OQ)));
  }
}

void f32_relu_backward__avx2(float* dx, const float* dy, const float* y, const keel_eltwise_params* p) {
  const __m256 zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= p->count; i += 8) {
    const __m256 keep = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ);
    _mm256_storeu_ps(dx + i, _mm256_and_ps(keep, _mm256_loadu_ps(dy + i)));
  }
  if (i < p->count) {
    const __m256i m = tail_mask(p->count - i);
    const __m256 keep = _mm256_cmp_ps(_mm256_maskload_ps(y + i, m), zero, _CMP_GT_OQ);
    _mm256_maskstore_ps(dx + i, m, _mm256_and_ps(keep, _mm256_maskload_ps(dy + i, m)));
  }
}

}  // namespace keel
