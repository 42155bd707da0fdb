// Fused BatchNorm1d -> ReLU -> Dropout, AVX-512 (math in keel.h / src/ref/fused.ts).
//
// Per channel (one pool task): statistics in double (two passes over the channel's N rows, which
// stay in L2), then ONE pass that writes y. The normalised value v = float((x - mean)*invstd*w + b)
// is computed in double with the same IEEE operations as the reference, the ReLU decision is v's sign
// and the dropout decision comes from the same Philox draws (native/src/dropout/philox-avx512.h), so
// y and every mask are bitwise the reference's given the same float statistics. Only the order of
// the double sums differs (8 lanes, then a fixed tree), which changes float(mean) or float(invstd)
// only on a rounding tie. Backward: pass 1 recomputes v and the mask (or, given the forward's y, reads
// both off y > 0), writes g into dx and sums g and g*xhat in double; pass 2 turns g into dx in place,
// in double as the reference does.
// What the double arithmetic costs (Intel Xeon, hot data, one thread): the forward normalises at
// 0.44 ns an element and draws at 0.44 more (Philox alone: 0.44 ns a draw, at the ports' limit); the
// backward takes 1.1 ns. PyTorch's float form instead (y = x*alpha + beta, dx in float) made them 20%
// and 16% faster hot, but only 12% and 9% in the backbone's training step, 1.3% of the step (bench:ab):
// not worth giving up agreement with the reference.
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "keel.h"
#include "cache.h"
#include "fused.h"
#include "parallel.h"
#include "dropout/philox.h"
#include "dropout/philox-avx512.h"

namespace keel {
namespace {

constexpr int64_t kChunk = 2048;  // elements of a row whose keep bits are generated at once

// Keep bits for draws d .. d + count - 1 (count <= kChunk): bit s + i of `words` is draw d + i, s = d & 3.
// Each Philox block is computed once, in up to four independent passes at a time (philox-avx512.h).
struct KeepBits {
  uint32_t words[kChunk / 32 + 8];
  unsigned s;
  void fill(const Philox512Key& k, uint64_t d, int64_t count) {
    s = (unsigned)(d & 3);
    const uint64_t b0 = d >> 2;
    const int64_t draws = count + s;  // from draw 4*b0
    int64_t w = 0;
    while (w * 32 < draws) {
      const int64_t left = draws - w * 32;
      if (left > 64) {
        philox512_keep_words<4>(k, b0 + (uint64_t)w * 8, words + w);
        w += 4;
      } else if (left > 32) {
        philox512_keep_words<2>(k, b0 + (uint64_t)w * 8, words + w);
        w += 2;
      } else {
        philox512_keep_words<1>(k, b0 + (uint64_t)w * 8, words + w);
        w += 1;
      }
    }
    words[w] = 0, words[w + 1] = 0;
  }
  // Keep mask of elements i .. i + 15.
  __mmask16 at(int64_t i) const {
    const uint64_t q = (uint64_t)i + s;
    uint64_t v;
    memcpy(&v, &words[q >> 5], 8);
    return (__mmask16)(v >> (q & 31));
  }
};

inline __mmask16 tail_mask(int64_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

// Per-channel double constants for v = float((x - m) * is * w + b).
struct Norm {
  __m512d m, is, w, b;
  Norm() : m(_mm512_setzero_pd()), is(m), w(m), b(m) {}
  Norm(double m_, double is_, double w_, double b_)
      : m(_mm512_set1_pd(m_)), is(_mm512_set1_pd(is_)), w(_mm512_set1_pd(w_)), b(_mm512_set1_pd(b_)) {}
  // v of 8 floats and xhat = (x - m) * is in double.
  inline __m256 v8(__m256 x, __m512d* xhat) const {
    const __m512d t = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(x), m), is);
    *xhat = t;
    return _mm512_cvtpd_ps(_mm512_add_pd(_mm512_mul_pd(t, w), b));
  }
  // xhat = (x - m) * is of 16 floats in double, as v16 computes it (when v is not needed).
  inline void xhat16(__m512 x, __m512d* t0, __m512d* t1) const {
    *t0 = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(x)), m), is);
    *t1 = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1))), m), is);
  }
  inline __m512 v16(__m512 x, __m512d* t0, __m512d* t1) const {
    const __m256 lo = v8(_mm512_castps512_ps256(x), t0);
    const __m256 hi = v8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)), t1);
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
  }
};

inline __m512d cvt_lo(__m512 x) { return _mm512_cvtps_pd(_mm512_castps512_ps256(x)); }
inline __m512d cvt_hi(__m512 x) { return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1))); }

// Sum over the channel's rows of f(16 floats, mask) accumulated in two double vectors.
double channel_sum(const float* x, int64_t N, int64_t C, int64_t L, int64_t c, double mean, bool squares) {
  __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd(), a2 = _mm512_setzero_pd(), a3 = _mm512_setzero_pd();
  const __m512d mu = _mm512_set1_pd(mean);
  for (int64_t n = 0; n < N; n++) {
    const float* xr = x + (n * C + c) * L;
    int64_t l = 0;
    if (squares) {
      for (; l + 32 <= L; l += 32) {
        const __m512 u = _mm512_loadu_ps(xr + l), w = _mm512_loadu_ps(xr + l + 16);
        const __m512d d0 = _mm512_sub_pd(cvt_lo(u), mu), d1 = _mm512_sub_pd(cvt_hi(u), mu);
        const __m512d d2 = _mm512_sub_pd(cvt_lo(w), mu), d3 = _mm512_sub_pd(cvt_hi(w), mu);
        a0 = _mm512_fmadd_pd(d0, d0, a0), a1 = _mm512_fmadd_pd(d1, d1, a1);
        a2 = _mm512_fmadd_pd(d2, d2, a2), a3 = _mm512_fmadd_pd(d3, d3, a3);
      }
      for (; l < L; l += 16) {
        const __mmask16 k = tail_mask(L - l);
        const __m512 u = _mm512_maskz_loadu_ps(k, xr + l);
        const __m512d d0 = _mm512_maskz_sub_pd((__mmask8)k, cvt_lo(u), mu);
        const __m512d d1 = _mm512_maskz_sub_pd((__mmask8)(k >> 8), cvt_hi(u), mu);
        a0 = _mm512_fmadd_pd(d0, d0, a0), a1 = _mm512_fmadd_pd(d1, d1, a1);
      }
    } else {
      for (; l + 32 <= L; l += 32) {
        const __m512 u = _mm512_loadu_ps(xr + l), w = _mm512_loadu_ps(xr + l + 16);
        a0 = _mm512_add_pd(a0, cvt_lo(u)), a1 = _mm512_add_pd(a1, cvt_hi(u));
        a2 = _mm512_add_pd(a2, cvt_lo(w)), a3 = _mm512_add_pd(a3, cvt_hi(w));
      }
      for (; l < L; l += 16) {
        const __m512 u = _mm512_maskz_loadu_ps(tail_mask(L - l), xr + l);
        a0 = _mm512_add_pd(a0, cvt_lo(u)), a1 = _mm512_add_pd(a1, cvt_hi(u));
      }
    }
  }
  return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
}


#include "fused-blocks.h"

// ---- (N, C) input (L = 1: the Linear -> BatchNorm1d -> ReLU -> Dropout block) ----
// A channel is one float every C floats, so the per-channel row visits above would handle one
// element per call (measured about 10x slower than here at (128, 512)). Instead a block's row n — its
// channels side by side, and their draws too — is one run of vectors across channels, with
// per-lane constants. Per channel, sums still run over n in order, in double, with the reference's
// operations (no FMA), so the statistics are the reference's bit for bit.

// Per-lane double constants of a block (padded so a vector past the block's end reads zeros).
struct LaneConsts {
  alignas(64) double v[kMaxBlock + 16];
  LaneConsts() { memset(v, 0, sizeof v); }
  __m512d lo(int64_t j) const { return _mm512_load_pd(v + j); }
  __m512d hi(int64_t j) const { return _mm512_load_pd(v + j + 8); }
  void add(int64_t j, __m512d a0, __m512d a1) {
    _mm512_store_pd(v + j, _mm512_add_pd(lo(j), a0));
    _mm512_store_pd(v + j + 8, _mm512_add_pd(hi(j), a1));
  }
};

// Adds f(lane values) of rows n = 0..N-1 of the block's channels (x + n*C, bw of them) into acc.
template <typename F>
inline void nc_column_sums(LaneConsts* acc, const float* x, int64_t N, int64_t C, int64_t bw, const F& f) {
  for (int64_t n = 0; n < N; n++) {
    for (int64_t j = 0; j < bw; j += 16) {
      const __m512 u = _mm512_maskz_loadu_ps(tail_mask(bw - j), x + n * C + j);
      acc->add(j, f(cvt_lo(u), j), f(cvt_hi(u), j + 8));
    }
  }
}

// v = float((x - m) * is * w + b) of 16 lanes of channels j.., and xhat = (x - m) * is in double.
struct LaneNorm {
  LaneConsts m, is, w, b;
  inline __m256 v8(__m512d x, int64_t j, __m512d* xhat) const {
    const __m512d t = _mm512_mul_pd(_mm512_sub_pd(x, _mm512_load_pd(m.v + j)), _mm512_load_pd(is.v + j));
    *xhat = t;
    return _mm512_cvtpd_ps(_mm512_add_pd(_mm512_mul_pd(t, _mm512_load_pd(w.v + j)), _mm512_load_pd(b.v + j)));
  }
  inline __m512 v16(__m512 x, int64_t j, __m512d* t0, __m512d* t1) const {
    return _mm512_insertf32x8(_mm512_castps256_ps512(v8(cvt_lo(x), j, t0)), v8(cvt_hi(x), j + 8, t1), 1);
  }
  inline void xhat16(__m512 x, int64_t j, __m512d* t0, __m512d* t1) const {
    *t0 = _mm512_mul_pd(_mm512_sub_pd(cvt_lo(x), m.lo(j)), is.lo(j));
    *t1 = _mm512_mul_pd(_mm512_sub_pd(cvt_hi(x), m.hi(j)), is.hi(j));
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
  const __m512 scale = _mm512_set1_ps(dropout_scale(p->p)), zero = _mm512_setzero_ps();
  Philox512Key key;
  philox512_key_init(&key, p->seed, p->stream, threshold);
  const bool draws = threshold != 0 && !key.none;
  if (L == 1) {
    nc_for_blocks(N, C, 12, [&](int64_t cb, int64_t bw) {
      KeepBits bits;
      LaneNorm q;
      LaneConsts mean, sq;
      const bool sums = p->training && !batch_mean;
      if (sums) {
        nc_column_sums(&mean, x + cb, N, C, bw, [](__m512d u, int64_t) { return u; });
        for (int64_t j = 0; j < bw; j++) mean.v[j] /= M;
        nc_column_sums(&sq, x + cb, N, C, bw, [&](__m512d u, int64_t j) {
          const __m512d d = _mm512_sub_pd(u, _mm512_load_pd(mean.v + j));
          return _mm512_mul_pd(d, d);
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
        for (int64_t j = 0; j < bw; j += 16) {
          const __mmask16 t = tail_mask(bw - j);
          __m512d h0, h1;
          const __m512 v = q.v16(_mm512_maskz_loadu_ps(t, x + o + j), j, &h0, &h1);
          const __m512 r = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ), zero);
          const __mmask16 keep = threshold == 0 ? (__mmask16)0xFFFF : draws ? bits.at(j) : (__mmask16)0;
          _mm512_mask_storeu_ps(y + o + j, t, _mm512_maskz_mul_ps(keep, r, scale));
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
        for (int64_t i = 0; i < len; i += 16) {
          const __mmask16 t = tail_mask(len - i);
          __m512d h0, h1;
          const __m512 v = m.v16(_mm512_maskz_loadu_ps(t, xr + i), &h0, &h1);
          const __m512 r = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ), zero);
          const __mmask16 keep = threshold == 0 ? (__mmask16)0xFFFF : draws ? bits.at(bit0 + i) : (__mmask16)0;
          _mm512_mask_storeu_ps(yr + i, t, _mm512_maskz_mul_ps(keep, r, scale));
        }
      });
      cb = ce;
    }
  });
}

void f32_bn_relu_dropout_forward__avx512(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                         float* running_var, const float* x, const float* weight,
                                         const float* bias, const keel_bn_relu_dropout_params* p) {
  forward_impl(y, save_mean, save_invstd, running_mean, running_var, x, nullptr, nullptr, weight, bias, p);
}

void f32_bn_relu_dropout_forward_with_stats__avx512(float* y, float* save_mean, float* save_invstd, float* running_mean,
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
  const __m512 scale = _mm512_set1_ps(dropout_scale(p->p)), zero = _mm512_setzero_ps();
  Philox512Key key;
  philox512_key_init(&key, p->seed, p->stream, threshold);
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
        for (int64_t j = 0; j < bw; j += 16) {
          const __mmask16 t = tail_mask(bw - j);
          __m512d h0, h1;
          const __m512 xv = _mm512_maskz_loadu_ps(t, x + o + j);
          __mmask16 pass;
          if (y) {
            q.xhat16(xv, j, &h0, &h1);
            pass = t & _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(t, y + o + j), zero, _CMP_GT_OQ);
          } else {
            const __m512 v = q.v16(xv, j, &h0, &h1);
            const __mmask16 keep = threshold == 0 ? (__mmask16)0xFFFF : draws ? bits.at(j) : (__mmask16)0;
            pass = keep & t & _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
          }
          const __m512 g = _mm512_maskz_mul_ps(pass, _mm512_maskz_loadu_ps(t, dy + o + j), scale);
          _mm512_mask_storeu_ps(dx + o + j, t, g);
          const __m512d g0 = cvt_lo(g), g1 = cvt_hi(g);
          sg.add(j, g0, g1);
          sgx.add(j, _mm512_mul_pd(g0, h0), _mm512_mul_pd(g1, h1));
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
        for (int64_t j = 0; j < bw; j += 16) {
          const __mmask16 t = tail_mask(bw - j);
          const __m512 g = _mm512_maskz_loadu_ps(t, dx + o + j);
          __m512d r0 = _mm512_mul_pd(k.lo(j), cvt_lo(g)), r1 = _mm512_mul_pd(k.hi(j), cvt_hi(g));
          if (p->training) {
            // k * ((g - mean_g) - ((x - m) * is) * mean_gx), operation for operation as the reference
            const __m512 xv = _mm512_maskz_loadu_ps(t, x + o + j);
            const __m512d t0 = _mm512_mul_pd(_mm512_mul_pd(_mm512_sub_pd(cvt_lo(xv), q.m.lo(j)), q.is.lo(j)), mgx.lo(j));
            const __m512d t1 = _mm512_mul_pd(_mm512_mul_pd(_mm512_sub_pd(cvt_hi(xv), q.m.hi(j)), q.is.hi(j)), mgx.hi(j));
            r0 = _mm512_mul_pd(k.lo(j), _mm512_sub_pd(_mm512_sub_pd(cvt_lo(g), mg.lo(j)), t0));
            r1 = _mm512_mul_pd(k.hi(j), _mm512_sub_pd(_mm512_sub_pd(cvt_hi(g), mg.hi(j)), t1));
          }
          _mm512_mask_storeu_ps(dx + o + j, t, _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(r0)), _mm512_cvtpd_ps(r1), 1));
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
      __m512d acc[kMaxBlock][4];  // per channel: sum g (lo, hi lanes), sum g*xhat (lo, hi)
      for (int64_t c = cb; c < ce; c++) {
        nm[c - cb] = Norm((double)mean[c], (double)invstd[c], weight ? (double)weight[c] : 1.0, bias ? (double)bias[c] : 0.0);
        for (int j = 0; j < 4; j++) acc[c - cb][j] = _mm512_setzero_pd();
      }
      // Pass 1: g = keep && v > 0 ? dy * scale : 0 into dx; sums in double.
      visit_rows(bits, key, draws, p->offset, N, C, L, cb, ce, x, dy, y, dx, [&](int64_t c, int64_t o, int64_t len, int64_t bit0) {
        const Norm& m = nm[c - cb];
        __m512d sg0 = acc[c - cb][0], sg1 = acc[c - cb][1], sx0 = acc[c - cb][2], sx1 = acc[c - cb][3];
        const float* xr = x + o;
        const float* dyr = dy + o;
        float* dxr = dx + o;
        for (int64_t i = 0; i < len; i += 16) {
          const __mmask16 t = tail_mask(len - i);
          __m512d h0, h1;
          const __m512 xv = _mm512_maskz_loadu_ps(t, xr + i);
          __mmask16 pass;
          if (y) {
            m.xhat16(xv, &h0, &h1);
            pass = t & _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(t, y + o + i), zero, _CMP_GT_OQ);
          } else {
            const __m512 v = m.v16(xv, &h0, &h1);
            const __mmask16 keep = threshold == 0 ? (__mmask16)0xFFFF : draws ? bits.at(bit0 + i) : (__mmask16)0;
            pass = keep & t & _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
          }
          const __m512 g = _mm512_maskz_mul_ps(pass, _mm512_maskz_loadu_ps(t, dyr + i), scale);
          _mm512_mask_storeu_ps(dxr + i, t, g);
          const __m512d g0 = cvt_lo(g), g1 = cvt_hi(g);
          sg0 = _mm512_add_pd(sg0, g0), sg1 = _mm512_add_pd(sg1, g1);
          sx0 = _mm512_fmadd_pd(g0, h0, sx0), sx1 = _mm512_fmadd_pd(g1, h1, sx1);
        }
        acc[c - cb][0] = sg0, acc[c - cb][1] = sg1, acc[c - cb][2] = sx0, acc[c - cb][3] = sx1;
      });
      // Pass 2, per channel: dx from g in place.
      for (int64_t c = cb; c < ce; c++) {
        const double m = (double)mean[c], is = (double)invstd[c], w = weight ? (double)weight[c] : 1.0;
        const double sum_g = _mm512_reduce_add_pd(_mm512_add_pd(acc[c - cb][0], acc[c - cb][1]));
        const double sum_g_xhat = _mm512_reduce_add_pd(_mm512_add_pd(acc[c - cb][2], acc[c - cb][3]));
        if (dweight) dweight[c] = (float)sum_g_xhat;
        if (dbias) dbias[c] = (float)sum_g;
        const __m512d k = _mm512_set1_pd(w * is), mg = _mm512_set1_pd(sum_g / M), mgx = _mm512_set1_pd(sum_g_xhat / M);
        const __m512d mu = _mm512_set1_pd(m), isv = _mm512_set1_pd(is);
        for (int64_t n = 0; n < N; n++) {
          const int64_t o = (n * C + c) * L;
          float* dxr = dx + o;
          const float* xr = x + o;
          for (int64_t l = 0; l < L; l += 16) {
            const __mmask16 t = tail_mask(L - l);
            const __m512 g = _mm512_maskz_loadu_ps(t, dxr + l);
            __m512d r0, r1;
            if (p->training) {
              const __m512 xv = _mm512_maskz_loadu_ps(t, xr + l);
              // k * ((g - mean_g) - ((x - m) * is) * mean_gx), operation for operation as the reference
              const __m512d t0 = _mm512_mul_pd(_mm512_mul_pd(_mm512_sub_pd(cvt_lo(xv), mu), isv), mgx);
              const __m512d t1 = _mm512_mul_pd(_mm512_mul_pd(_mm512_sub_pd(cvt_hi(xv), mu), isv), mgx);
              r0 = _mm512_mul_pd(k, _mm512_sub_pd(_mm512_sub_pd(cvt_lo(g), mg), t0));
              r1 = _mm512_mul_pd(k, _mm512_sub_pd(_mm512_sub_pd(cvt_hi(g), mg), t1));
            } else {
              r0 = _mm512_mul_pd(k, cvt_lo(g)), r1 = _mm512_mul_pd(k, cvt_hi(g));
            }
            const __m512 out = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(r0)), _mm512_cvtpd_ps(r1), 1);
            _mm512_mask_storeu_ps(dxr + l, t, out);
          }
        }
      }
      cb = ce;
    }
  });
}

void f32_bn_relu_dropout_backward__avx512(float* dx, float* dweight, float* dbias, const float* dy,
                                          const float* x, const float* mean, const float* invstd,
                                          const float* weight, const float* bias,
                                          const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, nullptr, mean, invstd, weight, bias, p);
}

void f32_bn_relu_dropout_backward_with_output__avx512(float* dx, float* dweight, float* dbias, const float* dy,
                                                     const float* x, const float* y, const float* mean,
                                                     const float* invstd, const float* weight,
                                                     const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, y, mean, invstd, weight, nullptr, p);
}

}  // namespace keel
