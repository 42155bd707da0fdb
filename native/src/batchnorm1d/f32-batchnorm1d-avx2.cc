// BatchNorm1d, AVX2 + FMA (8 lanes, tails by maskload/maskstore). The same kernels as the AVX-512
// variant, over 8-lane vectors: the bodies are batchnorm1d-simd.h, the algebra and error analysis
// are in f32-batchnorm1d-avx512.cc's header. Blocks are 64 vectors (512 floats) here; the order of
// every sum is fixed by the shape, so results are bitwise identical for any thread count.
#include <immintrin.h>
#include <math.h>

#include "batchnorm1d.h"
#include "cache.h"
#include "keel.h"
#include "parallel.h"

// GCC 12's intrinsic headers self-initialise their "undefined" vectors (GCC bug 105593), which
// -Wuninitialized reports at every inlined cast/extract/convert: silence that one false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace keel {
namespace {

struct V {
  static constexpr int64_t W = 8;
  using F = __m256;
  using D = __m256d;
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static __m256i mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  // Loads the first n < W floats; the other lanes read as 0.
  static F load_tail(const float* p, int64_t n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static void store_tail(float* p, F v, int64_t n) { _mm256_maskstore_ps(p, mask(n), v); }
  // Lanes >= n set to 0.
  static F keep(F v, int64_t n) { return _mm256_and_ps(v, _mm256_castsi256_ps(mask(n))); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static D dzero() { return _mm256_setzero_pd(); }
  // acc + widen(v), lanes 0-3 then 4-7.
  static D widen_add(D acc, F v) {
    acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    return _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  static D lo(F v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
  static D hi(F v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
  static D dset1(double v) { return _mm256_set1_pd(v); }
  static D dadd(D a, D b) { return _mm256_add_pd(a, b); }
  static D dsub(D a, D b) { return _mm256_sub_pd(a, b); }
  static D dfma(D a, D b, D c) { return _mm256_fmadd_pd(a, b, c); }
  static void dstore(double* p, D v) { _mm256_storeu_pd(p, v); }
  static double hsum(D v) {
    // Fixed order: 4 -> 2 -> 1.
    const __m128d b = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(b, _mm_unpackhi_pd(b, b)));
  }
  static void prefetch(const float* p) { _mm_prefetch((const char*)p, _MM_HINT_T0); }
  static void prefetch_l2(const float* p) { _mm_prefetch((const char*)p, _MM_HINT_T1); }
  // Reads a row r[0, L) front to back: at(l) = r[l, l + W), tail(l, n) = its last n < W floats.
  // (Plain unaligned loads: a 32-byte load splits a line less often; see the AVX-512 variant.)
  struct Row {
    const float* r;
    Row(const float* r_, int64_t) : r(r_) {}
    F at(int64_t l) const { return load(r + l); }
    F tail(int64_t l, int64_t n) const { return load_tail(r + l, n); }
  };
  static void store_fence() { _mm_sfence(); }
  static void stream(float* p, F v) { _mm256_stream_ps(p, v); }
};

#include "batchnorm1d-nc-simd.h"  // (N, C) input: vectors across channels
#include "batchnorm1d-simd.h"  // the kernels' bodies, written once over V (shared with avx512)

}  // namespace

void f32_batchnorm1d_train_forward__avx2(float* y, float* save_mean, float* save_invstd,
                                           float* running_mean, float* running_var, const float* x,
                                           const float* weight, const float* bias,
                                           const keel_batchnorm1d_params* p) {
  train_forward(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, p);
}

void f32_batchnorm1d_eval_forward__avx2(float* y, const float* x, const float* running_mean,
                                          const float* running_var, const float* weight,
                                          const float* bias, const keel_batchnorm1d_params* p) {
  eval_forward(y, x, running_mean, running_var, weight, bias, p);
}

void f32_batchnorm1d_backward__avx2(float* dx, float* dweight, float* dbias, const float* dy,
                                      const float* x, const float* mean, const float* invstd,
                                      const float* weight,
                                      const keel_batchnorm1d_backward_params* p) {
  backward(dx, dweight, dbias, dy, x, mean, invstd, weight, p);
}

}  // namespace keel
