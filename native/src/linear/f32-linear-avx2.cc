// Linear (GEMM with bias), AVX2 + FMA: 6 x 16 register tiles of C (12 ymm accumulators), A
// broadcast, B rows loaded; K in blocks of 256 summed in a fixed order (linear-gemm-impl.h), so
// results are bitwise identical for any thread count. Column tails via vmaskmov.
#include <immintrin.h>
#include <stdint.h>

#include "keel.h"
#include "linear.h"
#include "parallel.h"
#include "simd-transpose.h"

namespace keel {
namespace {

alignas(32) const int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

struct V {
  static constexpr int W = 8;
  using T = __m256;
  static inline __m256i mask(int64_t n) { return _mm256_loadu_si256((const __m256i*)(kTailMask + 8 - n)); }
  static inline float hsum(T v) {
    // Fixed tree: 8 -> 4 -> 2 -> 1 lanes.
    const __m128 b = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));
    return _mm_cvtss_f32(_mm_add_ss(c, _mm_movehdup_ps(c)));
  }
  static inline T zero() { return _mm256_setzero_ps(); }
  static inline T loadu(const float* p) { return _mm256_loadu_ps(p); }
  static inline void storeu(float* p, T v) { _mm256_storeu_ps(p, v); }
  static inline T bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static inline T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm256_add_ps(a, b); }
  static inline T load_n(const float* p, int64_t n) { return _mm256_maskload_ps(p, mask(n)); }
  static inline void store_n(float* p, T v, int64_t n) { _mm256_maskstore_ps(p, mask(n), v); }
  static inline void transpose(T r[W]) { transpose8x8_ps(r); }  // simd-transpose.h
};
constexpr int kMR = 6;
constexpr int kNV = 2;

#include "linear-stats.h"
#include "linear-gemm-impl.h"

}  // namespace

void f32_linear_forward__avx2(float* y, const float* x, const float* w, const float* bias,
                              const keel_linear_params* p) {
  linear_forward(y, x, w, bias, p);
}
void f32_linear_forward_stats__avx2(float* y, double* mean, double* var, const float* x, const float* w,
                                    const float* bias, const keel_linear_params* p) {
  linear_forward(y, x, w, bias, p, mean, var);
}
void f32_linear_backward_data__avx2(float* dx, const float* dy, const float* w, const keel_linear_params* p) {
  linear_backward_data(dx, dy, w, p);
}
void f32_linear_backward_weight__avx2(float* dw, const float* x, const float* dy, const keel_linear_params* p) {
  linear_backward_weight(dw, x, dy, p);
}
void f32_linear_backward_bias__avx2(float* db, const float* dy, const keel_linear_params* p) {
  linear_backward_bias(db, dy, p);
}

}  // namespace keel
