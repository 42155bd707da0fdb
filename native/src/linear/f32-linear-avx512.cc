// Linear (GEMM with bias), AVX-512: 12 x 32 register tiles of C (24 zmm accumulators), A broadcast,
// B rows loaded; K in blocks of 256 summed in a fixed order (linear-gemm-impl.h), so results are
// bitwise identical for any thread count. Column tails under k-masks.
#include <immintrin.h>
#include <stdint.h>

#include "keel.h"
#include "linear.h"
#include "parallel.h"
#include "simd-transpose.h"

namespace keel {
namespace {

struct V {
  static constexpr int W = 16;
  using T = __m512;
  static inline __mmask16 mask(int64_t n) { return (__mmask16)((1u << n) - 1); }
  static inline float hsum(T v) {
    // Fixed tree: 16 -> 8 -> 4 -> 2 -> 1 lanes.
    const __m256 a = _mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
    const __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));
    return _mm_cvtss_f32(_mm_add_ss(c, _mm_movehdup_ps(c)));
  }
  static inline T zero() { return _mm512_setzero_ps(); }
  static inline T loadu(const float* p) { return _mm512_loadu_ps(p); }
  static inline void storeu(float* p, T v) { _mm512_storeu_ps(p, v); }
  static inline T bcast(const float* p) { return _mm512_set1_ps(*p); }
  static inline T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm512_add_ps(a, b); }
  static inline T load_n(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static inline void store_n(float* p, T v, int64_t n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static inline void transpose(T r[W]) { transpose16x16_ps(r); }  // simd-transpose.h
};
#ifndef KEEL_LINEAR_MR512
#define KEEL_LINEAR_MR512 12
#endif
constexpr int kMR = KEEL_LINEAR_MR512;
constexpr int kNV = 2;

#include "linear-stats.h"
#include "linear-gemm-impl.h"

}  // namespace

void f32_linear_forward__avx512(float* y, const float* x, const float* w, const float* bias,
                                const keel_linear_params* p) {
  linear_forward(y, x, w, bias, p);
}
void f32_linear_forward_stats__avx512(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_linear_params* p) {
  linear_forward(y, x, w, bias, p, mean, var);
}
void f32_linear_backward_data__avx512(float* dx, const float* dy, const float* w, const keel_linear_params* p) {
  linear_backward_data(dx, dy, w, p);
}
void f32_linear_backward_weight__avx512(float* dw, const float* x, const float* dy, const keel_linear_params* p) {
  linear_backward_weight(dw, x, dy, p);
}
void f32_linear_backward_bias__avx512(float* db, const float* dy, const keel_linear_params* p) {
  linear_backward_bias(db, dy, p);
}

}  // namespace keel
