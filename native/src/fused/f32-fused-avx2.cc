// Fused BatchNorm1d -> ReLU -> Dropout, AVX2 + FMA (math in keel.h / src/ref/fused.ts). The same
// structure as the AVX-512 variant: per channel, statistics in double, then one pass computing
// v = float((x - mean)*invstd*w + b) in double with the reference's IEEE operations, the ReLU and
// dropout decisions (Philox, native/src/dropout/philox-avx2.h) and the float product, so y and every
// mask are bitwise the reference's given the same float statistics; only the double sums' order
// differs. Backward: pass 1 writes g into dx and sums g, g*xhat (the decisions recomputed, or read off
// y > 0 when the forward's y is given); pass 2 turns g into dx in place.
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "keel.h"
#include "cache.h"
#include "fused.h"
#include "parallel.h"
#include "dropout/philox.h"
#include "dropout/philox-avx2.h"

namespace keel {
namespace {

constexpr int64_t kChunk = 2048;  // elements of a row whose keep bits are generated at once

// Keep bits for draws d .. d + count - 1 (count <= kChunk): bit s + i is draw d + i, s = d & 3.
struct KeepBits {
  uint16_t words[kChunk / 16 + 8];
  unsigned s;
  void fill(const Philox256Key& k, uint64_t d, int64_t count) {
    s = (unsigned)(d & 3);
    const uint64_t b0 = d >> 2;
    const int64_t draws = count + s;
    int64_t w = 0;  // one word = 16 draws = 4 blocks
    while (w * 16 < draws) {
      if (draws - w * 16 > 48) {
        const uint64_t g = philox256_keep_blocks<4>(k, b0 + (uint64_t)w * 4);
        memcpy(&words[w], &g, 8);
        w += 4;
      } else {
        words[w] = (uint16_t)philox256_keep_blocks<1>(k, b0 + (uint64_t)w * 4);
        w += 1;
      }
    }
    memset(&words[w], 0, 8);
  }
  // Keep bits of elements i .. i + 7.
  uint32_t at(int64_t i) const {
    const uint64_t q = (uint64_t)i + s;
    uint64_t v;
    memcpy(&v, &words[q >> 4], 8);
    return (uint32_t)(v >> (q & 15)) & 0xFFu;
  }
};

// Lane mask of the first n (< 8) lanes.
inline __m256i tail_mask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0));
}
inline __m256 load8(const float* p, int64_t n) {
  return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tail_mask(n));
}
inline void store8(float* p, __m256 v, int64_t n) {
  if (n >= 8) _mm256_storeu_ps(p, v);
  else _mm256_maskstore_ps(p, tail_mask(n), v);
}
inline __m256d lo4(__m256 x) { return _mm256_cvtps_pd(_mm256_castps256_ps128(x)); }
inline __m256d hi4(__m256 x) { return _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)); }

struct Norm {
  __m256d m, is, w, b;
  Norm() : m(_mm256_setzero_pd()), is(m), w(m), b(m) {}
  Norm(double m_, double is_, double w_, double b_)
      : m(_mm256_set1_pd(m_)), is(_mm256_set1_pd(is_)), w(_mm256_set1_pd(w_)), b(_mm256_set1_pd(b_)) {}
  inline __m128 v4(__m256d x, __m256d* xhat) const {
    const __m256d t = _mm256_mul_pd(_mm256_sub_pd(x, m), is);
    *xhat = t;
    return _mm256_cvtpd_ps(_mm256_add_pd(_mm256_mul_pd(t, w), b));
  }
  inline __m256 v8(__m256 x, __m256d* t0, __m256d* t1) const {
    const __m128 lo = v4(lo4(x), t0), hi = v4(hi4(x), t1);
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
  }
  // xhat = (x - m) * is of 8 floats in double, as v8 computes it (when v is not needed).
  inline void xhat8(__m256 x, __m256d* t0, __m256d* t1) const {
    *t0 = _mm256_mul_pd(_mm256_sub_pd(lo4(x), m), is);
    *t1 = _mm256_mul_pd(_mm256_sub_pd(hi4(x), m), is);
  }
};

inline double hsum(__m256d a) {
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

double channel_sum(const float* x, int64_t N, int64_t C, int64_t L, int64_t c, double mean, bool squares) {
  __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
  const __m256d mu = _mm256_set1_pd(mean);
  for (int64_t n = 0; n < N; n++) {
    const float* xr = x + (n * C + c) * L;
    int64_t l = 0;
    if (squares) {
      for (; l + 16 <= L; l += 16) {
        const __m256 u = _mm256_loadu_ps(xr + l), w = _mm256_loadu_ps(xr + l + 8);
        const __m256d d0 = _mm256_sub_pd(lo4(u), mu), d1 = _mm256_sub_pd(hi4(u), mu);
        const __m256d d2 = _mm256_sub_pd(lo4(w), mu), d3 = _mm256_sub_pd(hi4(w), mu);
        a0 = _mm256_fmadd_pd(d0, d0, a0), a1 = _mm256_fmadd_pd(d1, d1, a1);
        a2 = _mm256_fmadd_pd(d2, d2, a2), a3 = _mm256_fmadd_pd(d3, d3, a3);
      }
      for (; l < L; l += 8) {
        const int64_t n8 = L - l;
        const __m256 u = load8(xr + l, n8);
        __m256d d0 = _mm256_sub_pd(lo4(u), mu), d1 = _mm256_sub_pd(hi4(u), mu);
        if (n8 < 8) {  // zero the lanes past the row
          const __m256i t = tail_mask(n8);
          d0 = _mm256_and_pd(d0, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(t))));
          d1 = _mm256_and_pd(d1, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(t, 1))));
        }
        a0 = _mm256_fmadd_pd(d0, d0, a0), a1 = _mm256_fmadd_pd(d1, d1, a1);
      }
    } else {
      for (; l + 16 <= L; l += 16) {
        const __m256 u = _mm256_loadu_ps(xr + l), w = _mm256_loadu_ps(xr + l + 8);
        a0 = _mm256_add_pd(a0, lo4(u)), a1 = _mm256_add_pd(a1, hi4(u));
        a2 = _mm256_add_pd(a2, lo4(w)), a3 = _mm256_add_pd(a3, hi4(w));
      }
      for (; l < L; l += 8) {
        const __m256 u = load8(xr + l, L - l);  // masked lanes load as 0
        a0 = _mm256_add_pd(a0, lo4(u)), a1 = _mm256_add_pd(a1, hi4(u));
      }
    }
  }
  return hsum(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

#include "fused-blocks.h"

// ---- (N, C) input (L = 1: the Linear -> BatchNorm1d -> ReLU -> Dropout block) ----
// As in the AVX-512 variant: a block's row n (its channels side by side, and their draws) is one
// run of vectors across channels with per-lane constants; per channel, sums run over n in order in
// double with the reference's operations (no FMA), so the statistics are the reference's bit for bit.

// Per-lane double constants of a block (padded so a vector past the block's end reads zeros).
struct LaneConsts {
  alignas(32) double v[kMaxBlock + 8];
  LaneConsts() { memset(v, 0, sizeof v); }
  __m256d lo(int64_t j) const { return _mm256_load_pd(v + j); }
  __m256d hi(int64_t j) const { return _mm256_load_pd(v + j + 4); }
  void add(int64_t j, __m256d a0, __m256d a1) {
    _mm256_store_pd(v + j, _mm256_add_pd(lo(j), a0));
    _mm256_store_pd(v + j + 4, _mm256_add_pd(hi(j), a1));
  }
};

// Adds f(lane values) of rows n = 0..N-1 of the block's channels (x + n*C, bw of them) into acc.
template <typename F>
inline void nc_column_sums(LaneConsts* acc, const float* x, int64_t N, int64_t C, int64_t bw, const F& f) {
  for (int64_t n = 0; n < N; n++) {
    for (int64_t j = 0; j < bw; j += 8) {
      const __m256 u = load8(x + n * C + j, bw - j);
      acc->add(j, f(lo4(u), j), f(hi4(u), j + 4));
    }
  }
}

// v = float((x - m) * is * w + b) of 8 lanes of channels j.., and xhat = (x - m) * is in double.
struct LaneNorm {
  LaneConsts m, is, w, b;
  inline __m128 v4(__m256d x, int64_t j, __m256d* xhat) const {
    const __m256d t = _mm256_mul_pd(_mm256_sub_pd(x, _mm256_load_pd(m.v + j)), _mm256_load_pd(is.v + j));
    *xhat = t;
    return _mm256_cvtpd_ps(_mm256_add_pd(_mm256_mul_pd(t, _mm256_load_pd(w.v + j)), _mm256_load_pd(b.v + j)));
  }
  inline __m256 v8(__m256 x, int64_t j, __m256d* t0, __m256d* t1) const {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(v4(lo4(x), j, t0)), v4(hi4(x), j + 4, t1), 1);
  }
  inline void xhat8(__m256 x, int64_t j, __m256d* t0, __m256d* t1) const {
    *t0 = _mm256_mul_pd(_mm256_sub_pd(lo4(x), _mm256_load_pd(m.v + j)), _mm256_load_pd(is.v + j));
    *t1 = _mm256_mul_pd(_mm256_sub_pd(hi4(x), _mm256_load_pd(m.v + j + 4)), _mm256_load_pd(is.v + j + 4));
  }
  void set(int64_t j, double m_, double is_, double w_, double b_) { m.v[j] = m_, is.v[j] = is_, w.v[j] = w_, b.v[j] = b_; }
};

}  // namespace

// The training/eval forward; batch_mean/batch_var (both or neither) replace the statistics pass.
static void forward_impl(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                         const float* x, const double* batch_mean, const double* batch_var, const float* weight,
                         const float* bias, const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L);
  const uint64_t threshold = dropout_threshold(p->p);
  const __m256 scale = _mm256_set1_ps(dropout_scale(p->p)), zero = _mm256_setzero_ps();
  const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  Philox256Key key;
  philox256_key_init(&key, p->seed, p->stream, threshold);
  const bool draws = threshold != 0 && !key.none;
  if (L == 1) {
    nc_for_blocks(N, C, 12, [&](int64_t cb, int64_t bw) {
      KeepBits bits;
      LaneNorm q;
      LaneConsts mean, sq;
      const bool sums = p->training && !batch_mean;
      if (sums) {
        nc_column_sums(&mean, x + cb, N, C, bw, [](__m256d u, int64_t) { return u; });
        for (int64_t j = 0; j < bw; j++) mean.v[j] /= M;
        nc_column_sums(&sq, x + cb, N, C, bw, [&](__m256d u, int64_t j) {
          const __m256d d = _mm256_sub_pd(u, _mm256_load_pd(mean.v + j));
          return _mm256_mul_pd(d, d);
        });
      }
      for (int64_t c = cb; c < cb + bw; c++) {
        channel_statistics(p, c, [&](double* m, double* var) {
          *m = sums ? mean.v[c - cb] : batch_mean[c];
          *var = sums ? sq.v[c - cb] / M : batch_var[c];
        }, save_mean, save_invstd, running_mean, running_var);
        q.set(c - cb, (double)save_mean[c], (double)save_invstd[c], weight ? (double)weight[c] : 1.0, bias ? (double)bias[c] : 0.0);
      }
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = n * C + cb;
        if (draws) bits.fill(key, p->offset + (uint64_t)o, bw);
        for (int64_t j = 0; j < bw; j += 8) {
          __m256d h0, h1;
          const __m256 v = q.v8(load8(x + o + j, bw - j), j, &h0, &h1);
          const __m256 r = _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
          const __m256 keep = threshold == 0 ? all : draws ? philox256_lanes8(bits.at(j)) : zero;
          store8(y + o + j, _mm256_and_ps(keep, _mm256_mul_ps(r, scale)), bw - j);
        }
      }
    });
    return;
  }
  parallel_for(C, grain_for(N * L * 12), [&](int64_t c0, int64_t c1) {
    KeepBits bits;
    for (int64_t cb = c0; cb < c1;) {
      const int64_t ce = cb + block_channels(N, L, cb, c1, 2);
      Norm nm[kMaxBlock];
      for (int64_t c = cb; c < ce; c++) {
        channel_statistics(p, c, [&](double* mean, double* var) {
          *mean = batch_mean ? batch_mean[c] : channel_sum(x, N, C, L, c, 0.0, false) / M;
          *var = batch_var ? batch_var[c] : channel_sum(x, N, C, L, c, *mean, true) / M;
        }, save_mean, save_invstd, running_mean, running_var);
        nm[c - cb] = Norm((double)save_mean[c], (double)save_invstd[c], weight ? (double)weight[c] : 1.0,
                          bias ? (double)bias[c] : 0.0);
      }
      visit_rows(bits, key, draws, p->offset, N, C, L, cb, ce, x, nullptr, nullptr, y, [&](int64_t c, int64_t o, int64_t len, int64_t bit0) {
        const Norm& m = nm[c - cb];
        const float* xr = x + o;
        float* yr = y + o;
        for (int64_t i = 0; i < len; i += 8) {
          __m256d h0, h1;
          const __m256 v = m.v8(load8(xr + i, len - i), &h0, &h1);
          const __m256 r = _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
          const __m256 keep = threshold == 0 ? all : draws ? philox256_lanes8(bits.at(bit0 + i)) : zero;
          store8(yr + i, _mm256_and_ps(keep, _mm256_mul_ps(r, scale)), len - i);
        }
      });
      cb = ce;
    }
  });
}

void f32_bn_relu_dropout_forward__avx2(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                       float* running_var, const float* x, const float* weight,
                                       const float* bias, const keel_bn_relu_dropout_params* p) {
  forward_impl(y, save_mean, save_invstd, running_mean, running_var, x, nullptr, nullptr, weight, bias, p);
}

void f32_bn_relu_dropout_forward_with_stats__avx2(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                                   float* running_var, const float* x, const double* batch_mean,
                                                   const double* batch_var, const float* weight, const float* bias,
                                                   const keel_bn_relu_dropout_params* p) {
  forward_impl(y, save_mean, save_invstd, running_mean, running_var, x, batch_mean, batch_var, weight, bias, p);
}

// The backward; given y (the forward's output), g's condition keep && v > 0 is read as y > 0.
static void backward_impl(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* y,
                          const float* mean, const float* invstd, const float* weight, const float* bias,
                          const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L);
  const uint64_t threshold = dropout_threshold(p->p);
  const __m256 scale = _mm256_set1_ps(dropout_scale(p->p)), zero = _mm256_setzero_ps();
  const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  Philox256Key key;
  philox256_key_init(&key, p->seed, p->stream, threshold);
  const bool draws = threshold != 0 && !key.none && !y;
  if (L == 1) {
    nc_for_blocks(N, C, 16, [&](int64_t cb, int64_t bw) {
      KeepBits bits;
      LaneNorm q;
      for (int64_t c = cb; c < cb + bw; c++) {
        q.set(c - cb, (double)mean[c], (double)invstd[c], weight ? (double)weight[c] : 1.0, bias ? (double)bias[c] : 0.0);
      }
      // Pass 1: g = keep && v > 0 ? dy * scale : 0 into dx; sum g and sum g*xhat per lane, rows in order.
      LaneConsts sg, sgx;
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = n * C + cb;
        if (draws) bits.fill(key, p->offset + (uint64_t)o, bw);
        for (int64_t j = 0; j < bw; j += 8) {
          __m256d h0, h1;
          const __m256 xv = load8(x + o + j, bw - j);
          __m256 pass;
          if (y) {
            q.xhat8(xv, j, &h0, &h1);
            pass = _mm256_cmp_ps(load8(y + o + j, bw - j), zero, _CMP_GT_OQ);
          } else {
            const __m256 v = q.v8(xv, j, &h0, &h1);
            pass = threshold == 0 ? all : draws ? philox256_lanes8(bits.at(j)) : zero;
            pass = _mm256_and_ps(pass, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
          }
          // lanes past the block load dy as 0, so g is 0 there
          const __m256 g = _mm256_and_ps(pass, _mm256_mul_ps(load8(dy + o + j, bw - j), scale));
          store8(dx + o + j, g, bw - j);
          const __m256d g0 = lo4(g), g1 = hi4(g);
          sg.add(j, g0, g1);
          sgx.add(j, _mm256_mul_pd(g0, h0), _mm256_mul_pd(g1, h1));
        }
      }
      // Per channel: k = w*is, the mean of g and of g*xhat; then pass 2 turns g into dx in place.
      LaneConsts k, mg, mgx;
      for (int64_t j = 0; j < bw; j++) {
        if (dweight) dweight[cb + j] = (float)sgx.v[j];
        if (dbias) dbias[cb + j] = (float)sg.v[j];
        k.v[j] = q.w.v[j] * q.is.v[j], mg.v[j] = sg.v[j] / M, mgx.v[j] = sgx.v[j] / M;
      }
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = n * C + cb;
        for (int64_t j = 0; j < bw; j += 8) {
          const __m256 g = load8(dx + o + j, bw - j);
          __m256d r0 = _mm256_mul_pd(k.lo(j), lo4(g)), r1 = _mm256_mul_pd(k.hi(j), hi4(g));
          if (p->training) {
            // k * ((g - mean_g) - ((x - m) * is) * mean_gx), operation for operation as the reference
            const __m256 xv = load8(x + o + j, bw - j);
            const __m256d t0 = _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(lo4(xv), q.m.lo(j)), q.is.lo(j)), mgx.lo(j));
            const __m256d t1 = _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(hi4(xv), q.m.hi(j)), q.is.hi(j)), mgx.hi(j));
            r0 = _mm256_mul_pd(k.lo(j), _mm256_sub_pd(_mm256_sub_pd(lo4(g), mg.lo(j)), t0));
            r1 = _mm256_mul_pd(k.hi(j), _mm256_sub_pd(_mm256_sub_pd(hi4(g), mg.hi(j)), t1));
          }
          store8(dx + o + j, _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(r0)), _mm256_cvtpd_ps(r1), 1), bw - j);
        }
      }
    });
    return;
  }
  parallel_for(C, grain_for(N * L * 16), [&](int64_t c0, int64_t c1) {
    KeepBits bits;
    for (int64_t cb = c0; cb < c1;) {
      const int64_t ce = cb + block_channels(N, L, cb, c1, y ? 4 : 3);
      Norm nm[kMaxBlock];
      __m256d acc[kMaxBlock][4];  // per channel: sum g (lo, hi lanes), sum g*xhat (lo, hi)
      for (int64_t c = cb; c < ce; c++) {
        nm[c - cb] = Norm((double)mean[c], (double)invstd[c], weight ? (double)weight[c] : 1.0, bias ? (double)bias[c] : 0.0);
        for (int j = 0; j < 4; j++) acc[c - cb][j] = _mm256_setzero_pd();
      }
      visit_rows(bits, key, draws, p->offset, N, C, L, cb, ce, x, dy, y, dx, [&](int64_t c, int64_t o, int64_t len, int64_t bit0) {
        const Norm& m = nm[c - cb];
        __m256d sg0 = acc[c - cb][0], sg1 = acc[c - cb][1], sx0 = acc[c - cb][2], sx1 = acc[c - cb][3];
        const float* xr = x + o;
        const float* dyr = dy + o;
        float* dxr = dx + o;
        for (int64_t i = 0; i < len; i += 8) {
          __m256d h0, h1;
          const __m256 xv = load8(xr + i, len - i);
          __m256 pass;
          if (y) {
            m.xhat8(xv, &h0, &h1);
            pass = _mm256_cmp_ps(load8(y + o + i, len - i), zero, _CMP_GT_OQ);
          } else {
            const __m256 v = m.v8(xv, &h0, &h1);
            pass = threshold == 0 ? all : draws ? philox256_lanes8(bits.at(bit0 + i)) : zero;
            pass = _mm256_and_ps(pass, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
          }
          // lanes past the row load dy as 0, so g is 0 there
          const __m256 g = _mm256_and_ps(pass, _mm256_mul_ps(load8(dyr + i, len - i), scale));
          store8(dxr + i, g, len - i);
          const __m256d g0 = lo4(g), g1 = hi4(g);
          sg0 = _mm256_add_pd(sg0, g0), sg1 = _mm256_add_pd(sg1, g1);
          sx0 = _mm256_fmadd_pd(g0, h0, sx0), sx1 = _mm256_fmadd_pd(g1, h1, sx1);
        }
        acc[c - cb][0] = sg0, acc[c - cb][1] = sg1, acc[c - cb][2] = sx0, acc[c - cb][3] = sx1;
      });
      for (int64_t c = cb; c < ce; c++) {
        const double m = (double)mean[c], is = (double)invstd[c], w = weight ? (double)weight[c] : 1.0;
        const double sum_g = hsum(_mm256_add_pd(acc[c - cb][0], acc[c - cb][1]));
        const double sum_g_xhat = hsum(_mm256_add_pd(acc[c - cb][2], acc[c - cb][3]));
        if (dweight) dweight[c] = (float)sum_g_xhat;
        if (dbias) dbias[c] = (float)sum_g;
        const __m256d k = _mm256_set1_pd(w * is), mg = _mm256_set1_pd(sum_g / M), mgx = _mm256_set1_pd(sum_g_xhat / M);
        const __m256d mu = _mm256_set1_pd(m), isv = _mm256_set1_pd(is);
        for (int64_t n = 0; n < N; n++) {
          const int64_t o = (n * C + c) * L;
          float* dxr = dx + o;
          const float* xr = x + o;
          for (int64_t l = 0; l < L; l += 8) {
            const __m256 g = load8(dxr + l, L - l);
            __m256d r0, r1;
            if (p->training) {
              const __m256 xv = load8(xr + l, L - l);
              const __m256d t0 = _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(lo4(xv), mu), isv), mgx);
              const __m256d t1 = _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(hi4(xv), mu), isv), mgx);
              r0 = _mm256_mul_pd(k, _mm256_sub_pd(_mm256_sub_pd(lo4(g), mg), t0));
              r1 = _mm256_mul_pd(k, _mm256_sub_pd(_mm256_sub_pd(hi4(g), mg), t1));
            } else {
              r0 = _mm256_mul_pd(k, lo4(g)), r1 = _mm256_mul_pd(k, hi4(g));
            }
            store8(dxr + l, _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(r0)), _mm256_cvtpd_ps(r1), 1), L - l);
          }
        }
      }
      cb = ce;
    }
  });
}

void f32_bn_relu_dropout_backward__avx2(float* dx, float* dweight, float* dbias, const float* dy,
                                        const float* x, const float* mean, const float* invstd,
                                        const float* weight, const float* bias,
                                        const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, nullptr, mean, invstd, weight, bias, p);
}

void f32_bn_relu_dropout_backward_with_output__avx2(float* dx, float* dweight, float* dbias, const float* dy,
                                                   const float* x, const float* y, const float* mean,
                                                   const float* invstd, const float* weight,
                                                   const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, y, mean, invstd, weight, nullptr, p);
}

}  // namespace keel
