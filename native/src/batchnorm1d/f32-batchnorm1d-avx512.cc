// BatchNorm1d, AVX-512 (16 lanes, tails under a k-mask). Same definitions as the scalar port of
// src/ref/batchnorm1d.ts (see f32-batchnorm1d-scalar.cc); this file computes them in float32 FMA
// lanes with double combination, within test/tolerances.ts (train/backward 1e-5, eval 1e-6):
//
// Work split: one task per channel (train forward, backward: a channel is N rows of L floats,
// 256 KB at the bench shape, which stays in L2 between the passes, so x comes from memory once),
// one task per (n, c) row (eval forward: a single stream in memory order). Tasks are fixed by the
// shape, each is computed by one thread in a fixed order: bitwise identical for any thread count.
//
// Reductions ("block sums"): a row is cut into blocks of BLOCK = 64 vectors (1024 floats); within a
// block, 4 float32 accumulators of 16 lanes (at most 16 adds per lane); at the end of each block
// the 4 accumulators are widened to double and added, in order, into one 8-lane double
// accumulator; the channel's sum is its horizontal sum. Block boundaries depend on L only.
//
// Training forward, channel c with M = N*L values:
//   pass 1  s = x[first element of c];  S1 = sum fl(x_i - s)     (shifted data: the float32 terms
//           are deviations, so a large mean (1e3, std 0.1) costs nothing);  mean = s + S1 / M (double)
//   pass 2  mean = m_hi + m_lo (m_hi a float, m_lo double);  d_i = fl(x_i - m_hi) (exact when x_i
//           is within a factor 2 of m_hi);  S2 = sum d_i^2 (FMA);  since sum (x_i - m_hi) = M m_lo,
//           var = S2 / M - m_lo^2 (clamped at 0; m_lo <= ulp(mean)/2, so no cancellation to speak
//           of);  invstd = 1 / sqrt(var + eps)   (never E[x^2] - E[x]^2)
//   pass 3  y_i = fma(d_i, a, b'),  a = fl(invstd w),  b' = fl(b - m_lo invstd w)
//           (|error| <= ~2 ulp of |xhat w| + 1 ulp of |y|)
//   running stats exactly as the scalar variant (double).
//   (N, C) input (L = 1) runs across channels instead (batchnorm1d-nc-simd.h); other rows shorter
//   than a vector (L < 16) go to the scalar variant: per-row block reductions would cost more.
// Eval forward: d = x - rm (rm is a float: one rounding), a = invstd * w split a_hi + a_lo,
//   y = fma(d, a_hi, fma(d, a_lo, b)).
// Backward, channel c (mu, is the given float mean/invstd):
//   pass 1  in double lanes (float32 blocks lose ~1e-5 absolute on 64K-term sums that cancel, which
//           is the tolerance):  Sdy = sum dy_i,  Sdx = sum dy_i (x_i - mu);
//           dbias = Sdy,  dweight = is Sdx   (= sum dy_i xhat_i)
//   pass 2  training: dx = fma(fl(x - mu), C3, fma(dy, C1, C2)) with k = w is, C1 = fl(k),
//           C2 = fl(-k Sdy/M), C3 = fl(-k is dweight/M);  eval: dx = fma(dy, k_hi, dy k_lo).
//
// Memory: a task's first channel is read with software prefetch one row ahead; while a channel is
// processed, the next channel of the task is prefetched into L2 (forward: x during passes 2-3;
// backward: x during pass 1, dy during pass 2), so its statistics pass reads L2 and the memory
// system stays busy during the compute passes.
// Alignment: Node's large Float32Arrays start 16 bytes past a cache line, so every unaligned
// 64-byte access would split two lines (measured: ~20% of the time of these memory-bound kernels).
// Elementwise passes start each row with a masked head up to a line boundary of the output
// (row_map); reductions read whole aligned lines and rebuild the row's vectors with one permute
// (V::Row), so every lane sums the same terms in the same order whatever the alignment: results
// depend on the shape only, not on where the tensors sit.
// Large training outputs (y, dx) are written with streaming stores (streaming_store_bytes() in
// cache.h; see the simd header).
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
  static constexpr int64_t W = 16;
  using F = __m512;
  using D = __m512d;
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static __mmask16 mask(int64_t n) { return (__mmask16)((1u << n) - 1); }
  // Loads the first n < W floats; the other lanes read as 0.
  static F load_tail(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void store_tail(float* p, F v, int64_t n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  // Lanes >= n set to 0.
  static F keep(F v, int64_t n) { return _mm512_maskz_mov_ps(mask(n), v); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static D dzero() { return _mm512_setzero_pd(); }
  // acc + widen(v), lanes 0-7 then 8-15.
  static D widen_add(D acc, F v) {
    acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    return _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
  }
  static D lo(F v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
  static D hi(F v) { return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))); }
  static D dset1(double v) { return _mm512_set1_pd(v); }
  static D dadd(D a, D b) { return _mm512_add_pd(a, b); }
  static D dsub(D a, D b) { return _mm512_sub_pd(a, b); }
  static D dfma(D a, D b, D c) { return _mm512_fmadd_pd(a, b, c); }
  static void dstore(double* p, D v) { _mm512_storeu_pd(p, v); }
  static double hsum(D v) {
    // Fixed order: 8 -> 4 -> 2 -> 1.
    const __m256d a = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    const __m128d b = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(b, _mm_unpackhi_pd(b, b)));
  }
  static void prefetch(const float* p) { _mm_prefetch((const char*)p, _MM_HINT_T0); }
  static void prefetch_l2(const float* p) { _mm_prefetch((const char*)p, _MM_HINT_T1); }
  // Reads a row r[0, L) front to back, one 64-byte line at a time: at(l), for l = 0, W, 2W, ... in
  // that order, returns r[l, l + W) (lanes past L read as 0) built from two aligned lines by one
  // permute. Same values as unaligned loads, so results do not depend on the row's alignment, but
  // no load splits a cache line: the rows of a Float32Array from Node are 16 bytes off a line.
  // Lines are loaded under a mask where they extend outside the row (never read out of bounds).
  struct Row {
    const float* a;     // r rounded down to a line
    int64_t off, end;   // r = a + off, r + L = a + end
    __m512i idx;        // off, off + 1, ..., off + 15: lanes of (line j, line j + 16) to take
    F prev;             // the line at a + l for the next at(l)
    Row(const float* r, int64_t L)
        : a((const float*)((uintptr_t)r & ~(uintptr_t)63)), off(r - a), end(off + L),
          idx(_mm512_add_epi32(_mm512_set1_epi32((int)off), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))),
          prev(line(0)) {}
    F line(int64_t j) const {
      if (j >= off && j + 16 <= end) return _mm512_load_ps(a + j);
      const int64_t lo = off > j ? off - j : 0, hi = end - j < 16 ? end - j : 16;
      if (hi <= lo) return _mm512_setzero_ps();
      return _mm512_maskz_load_ps((__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1)), a + j);
    }
    F at(int64_t l) {
      const F next = line(l + 16);
      const F v = _mm512_permutex2var_ps(prev, idx, next);
      prev = next;
      return v;
    }
    // The last n < W floats at l (the lanes past L are 0 already).
    F tail(int64_t l, int64_t) { return at(l); }
  };
  static void store_fence() { _mm_sfence(); }
  static void stream(float* p, F v) { _mm512_stream_ps(p, v); }
};

#include "batchnorm1d-nc-simd.h"  // (N, C) input: vectors across channels
#include "batchnorm1d-simd.h"  // the kernels' bodies, written once over V (shared with avx2)

}  // namespace

void f32_batchnorm1d_train_forward__avx512(float* y, float* save_mean, float* save_invstd,
                                           float* running_mean, float* running_var, const float* x,
                                           const float* weight, const float* bias,
                                           const keel_batchnorm1d_params* p) {
  train_forward(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, p);
}

void f32_batchnorm1d_eval_forward__avx512(float* y, const float* x, const float* running_mean,
                                          const float* running_var, const float* weight,
                                          const float* bias, const keel_batchnorm1d_params* p) {
  eval_forward(y, x, running_mean, running_var, weight, bias, p);
}

void f32_batchnorm1d_backward__avx512(float* dx, float* dweight, float* dbias, const float* dy,
                                      const float* x, const float* mean, const float* invstd,
                                      const float* weight,
                                      const keel_batchnorm1d_backward_params* p) {
  backward(dx, dweight, dbias, dy, x, mean, invstd, weight, p);
}

}  // namespace keel
