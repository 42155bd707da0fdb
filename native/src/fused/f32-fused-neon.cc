// Fused BatchNorm1d -> ReLU -> Dropout, NEON (arm64). The math is keel.h's / src/ref/fused.ts's
// (see f32-fused-scalar.cc). Per channel (one task of the pool each, so any thread count gives the
// same bits):
//   statistics  two-pass in float64x2 lanes (mean, then sum (x - mean)^2), the scalar variant's
//               double arithmetic; only the order of these double sums differs from it;
//   forward     v = float(((double)x - m) * is * w + b) in float64x2 lanes, the same double ops in
//               the same order as the scalar variant, so v, the ReLU decision and the dropout product
//               (float) are bitwise the scalar ones given the same saved statistics; keep masks come
//               from the vectorised Philox (philox-neon.h), bit for bit the reference's;
//   backward    g = keep && v > 0 ? dy * scale : 0 (v recomputed as in forward; or y > 0 when the
//               forward's y is given), double sums of g and g * xhat in vector lanes, then dx in
//               double lanes.
#include <arm_neon.h>
#include <math.h>

#include "dropout/philox-neon.h"
#include "dropout/philox.h"
#include "fused.h"
#include "keel.h"
#include "parallel.h"

namespace keel {
namespace {

// sum over one channel's rows of g(x as double lanes), in float64x2 accumulators (two chains).
template <typename G>
double dsum(const float* base, int64_t N, int64_t L, int64_t S, const G& g) {
  float64x2_t a0 = vdupq_n_f64(0.0), a1 = a0;
  double tail = 0.0;
  for (int64_t n = 0; n < N; n++) {
    const float* r = base + n * S;
    int64_t l = 0;
    for (; l + 4 <= L; l += 4) {
      const float32x4_t v = vld1q_f32(r + l);
      a0 = vaddq_f64(a0, g(vcvt_f64_f32(vget_low_f32(v))));
      a1 = vaddq_f64(a1, g(vcvt_high_f64_f32(v)));
    }
    for (; l < L; l++) tail += vgetq_lane_f64(g(vdupq_n_f64((double)r[l])), 0);
  }
  return vaddvq_f64(vaddq_f64(a0, a1)) + tail;
}

// Keep masks of the draws [d0, d0 + count): f(i, keep) for each 4 consecutive elements i..i+3 with a
// lane mask, where i is relative to d0; the last group may be partial (its extra lanes unused).
template <typename F>
void for_keep4(uint64_t seed, uint64_t stream, uint64_t threshold, uint64_t d0, int64_t count, const F& f) {
  if (threshold == 0 || threshold > 0xFFFFFFFFull) {
    const uint32x4_t k = vdupq_n_u32(threshold == 0 ? ~0u : 0u);
    for (int64_t i = 0; i < count; i += 4) f(i, k);
    return;
  }
  const uint32x4_t t = vdupq_n_u32((uint32_t)threshold);
  uint32_t buf[20];
  int64_t i = 0;
  // Draws come in aligned blocks of 16 starting at the aligned draw at or before d0 + i.
  while (i < count) {
    const uint64_t d = d0 + (uint64_t)i;
    const uint64_t base = d & ~(uint64_t)3;
    uint32x4_t draws[4];
    neon::philox16(seed, stream, base, draws);
    for (int q = 0; q < 4; q++) vst1q_u32(buf + 4 * q, vcgeq_u32(draws[q], t));
    const int64_t skew = (int64_t)(d - base);  // 0..3
    // buf[skew + j] is the keep of element i + j, j < 16 - skew
    const int64_t avail = 16 - skew;
    int64_t j = 0;
    for (; j + 4 <= avail && i + j < count; j += 4) f(i + j, vld1q_u32(buf + skew + j));
    i += j;
  }
}

struct ChannelConsts {
  double m, is, w, b;
};

// v for 4 elements, in the scalar variant's double ops and order.
inline float32x4_t bn_value(float32x4_t x, const ChannelConsts& k) {
  const float64x2_t m = vdupq_n_f64(k.m), is = vdupq_n_f64(k.is), w = vdupq_n_f64(k.w), b = vdupq_n_f64(k.b);
  float64x2_t lo = vcvt_f64_f32(vget_low_f32(x)), hi = vcvt_high_f64_f32(x);
  lo = vaddq_f64(vmulq_f64(vmulq_f64(vsubq_f64(lo, m), is), w), b);
  hi = vaddq_f64(vmulq_f64(vmulq_f64(vsubq_f64(hi, m), is), w), b);
  return vcombine_f32(vcvt_f32_f64(lo), vcvt_f32_f64(hi));
}

// Loads n (1..4) floats into lanes 0..n-1 (others 0), stores lanes 0..n-1.
inline float32x4_t load_n(const float* p, int64_t n) {
  if (n >= 4) return vld1q_f32(p);
  float t[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < n; i++) t[i] = p[i];
  return vld1q_f32(t);
}
inline void store_n(float* p, float32x4_t v, int64_t n) {
  if (n >= 4) return vst1q_f32(p, v);
  float t[4];
  vst1q_f32(t, v);
  for (int64_t i = 0; i < n; i++) p[i] = t[i];
}

// ---- (N, C) input (L = 1: the Linear -> BatchNorm1d -> ReLU -> Dropout block) ----
// A channel is one float every C floats, so the per-channel loops above would draw a Philox block of
// 16 for each single element. Instead a block of up to kBlock channels is processed row by row: its
// row n (the channels side by side, and their draws) is one run of 4-lane groups across channels,
// with per-lane constants. Per channel, the double sums run over n in order with the scalar
// variant's operations, so the statistics are its bits exactly.
constexpr int64_t kBlock = 64;

// Per-lane double constants of a block, padded so a group past the block's end reads zeros.
struct LaneConsts {
  double v[kBlock + 4] = {};
  float64x2_t lo(int64_t j) const { return vld1q_f64(v + j); }
  float64x2_t hi(int64_t j) const { return vld1q_f64(v + j + 2); }
  void add(int64_t j, float64x2_t a0, float64x2_t a1) {
    vst1q_f64(v + j, vaddq_f64(lo(j), a0));
    vst1q_f64(v + j + 2, vaddq_f64(hi(j), a1));
  }
};

struct LaneNorm {
  LaneConsts m, is, w, b;
  void set(int64_t j, double m_, double is_, double w_, double b_) { m.v[j] = m_, is.v[j] = is_, w.v[j] = w_, b.v[j] = b_; }
  // xhat = (x - m) * is of 2 lanes at j, and v = float(xhat * w + b), as bn_value.
  float64x2_t xhat(float64x2_t x, int64_t j) const { return vmulq_f64(vsubq_f64(x, vld1q_f64(m.v + j)), vld1q_f64(is.v + j)); }
  float32x4_t value(float32x4_t x, int64_t j, float64x2_t* h0, float64x2_t* h1) const {
    *h0 = xhat(vcvt_f64_f32(vget_low_f32(x)), j);
    *h1 = xhat(vcvt_high_f64_f32(x), j + 2);
    const float64x2_t lo = vaddq_f64(vmulq_f64(*h0, vld1q_f64(w.v + j)), vld1q_f64(b.v + j));
    const float64x2_t hi = vaddq_f64(vmulq_f64(*h1, vld1q_f64(w.v + j + 2)), vld1q_f64(b.v + j + 2));
    return vcombine_f32(vcvt_f32_f64(lo), vcvt_f32_f64(hi));
  }
};

// Adds f(lanes as double) of rows n = 0..N-1 of the block's channels (x + n*C, bw of them) into acc.
template <typename G>
void nc_column_sums(LaneConsts* acc, const float* x, int64_t N, int64_t C, int64_t bw, const G& g) {
  for (int64_t n = 0; n < N; n++) {
    for (int64_t j = 0; j < bw; j += 4) {
      const float32x4_t u = load_n(x + n * C + j, bw - j);
      acc->add(j, g(vcvt_f64_f32(vget_low_f32(u)), j), g(vcvt_high_f64_f32(u), j + 2));
    }
  }
}

// Blocks of kBlock channels as the pool's tasks (fixed by the shape), chunks of about 64 KB of traffic
// (see the x86 variants: an MLP layer's output is a few hundred KB).
template <typename Block>
void nc_for_blocks(int64_t N, int64_t C, int64_t bytes_per_elem, const Block& block) {
  const int64_t bytes = N * kBlock * bytes_per_elem, target = 64 << 10;  // bytes is 0 for N = 0
  parallel_for((C + kBlock - 1) / kBlock, bytes >= target ? 1 : target / (bytes > 0 ? bytes : 1), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) block(b * kBlock, C - b * kBlock < kBlock ? C - b * kBlock : kBlock);
  });
}

}  // namespace

// (N, C) forward: statistics of a block, then one pass over its rows.
static void forward_nc(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                       const float* x, const double* batch_mean, const double* batch_var, const float* weight,
                       const float* bias, const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels;
  const double M = (double)N;
  const float32x4_t vscale = vdupq_n_f32(dropout_scale(p->p)), zero = vdupq_n_f32(0.0f);
  const uint64_t threshold = dropout_threshold(p->p);
  nc_for_blocks(N, C, 12, [&](int64_t cb, int64_t bw) {
    LaneNorm q;
    LaneConsts mean, sq;
    const bool sums = p->training && !batch_mean;
    if (sums) {
      nc_column_sums(&mean, x + cb, N, C, bw, [](float64x2_t u, int64_t) { return u; });
      for (int64_t j = 0; j < bw; j++) mean.v[j] /= M;
      nc_column_sums(&sq, x + cb, N, C, bw, [&](float64x2_t u, int64_t j) {
        const float64x2_t d = vsubq_f64(u, vld1q_f64(mean.v + j));
        return vmulq_f64(d, d);
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
      for_keep4(p->seed, p->stream, threshold, p->offset + (uint64_t)o, bw, [&](int64_t i, uint32x4_t keep) {
        const int64_t cnt = bw - i < 4 ? bw - i : 4;
        float64x2_t h0, h1;
        const float32x4_t v = q.value(load_n(x + o + i, cnt), i, &h0, &h1);
        const float32x4_t r = vbslq_f32(vcltq_f32(v, zero), zero, v);
        store_n(y + o + i, vreinterpretq_f32_u32(vandq_u32(keep, vreinterpretq_u32_f32(vmulq_f32(r, vscale)))), cnt);
      });
    }
  });
}

// (N, C) backward: g into dx with the per-lane sums, then dx from g in place; given y (the forward's
// output), g's condition keep && v > 0 is read as y > 0.
static void backward_nc(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* y,
                        const float* mean, const float* invstd, const float* weight, const float* bias,
                        const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels;
  const double M = (double)N;
  const float32x4_t vscale = vdupq_n_f32(dropout_scale(p->p)), zero = vdupq_n_f32(0.0f);
  const uint64_t threshold = dropout_threshold(p->p);
  nc_for_blocks(N, C, 16, [&](int64_t cb, int64_t bw) {
    LaneNorm q;
    for (int64_t c = cb; c < cb + bw; c++) {
      q.set(c - cb, (double)mean[c], (double)invstd[c], weight ? (double)weight[c] : 1.0, bias ? (double)bias[c] : 0.0);
    }
    LaneConsts sg, sgx;
    for (int64_t n = 0; n < N; n++) {
      const int64_t o = n * C + cb;
      for_keep4(p->seed, p->stream, y ? 0 : threshold, p->offset + (uint64_t)o, bw, [&](int64_t i, uint32x4_t keep) {
        const int64_t cnt = bw - i < 4 ? bw - i : 4;
        const float32x4_t xv = load_n(x + o + i, cnt);
        float64x2_t h0, h1;
        uint32x4_t live;
        if (y) {
          h0 = q.xhat(vcvt_f64_f32(vget_low_f32(xv)), i), h1 = q.xhat(vcvt_high_f64_f32(xv), i + 2);
          live = vcgtq_f32(load_n(y + o + i, cnt), zero);
        } else {
          live = vandq_u32(keep, vcgtq_f32(q.value(xv, i, &h0, &h1), zero));
        }
        // lanes past cnt: dy loads as 0, so g is 0 there and adds nothing
        const float32x4_t g = vreinterpretq_f32_u32(vandq_u32(live, vreinterpretq_u32_f32(vmulq_f32(load_n(dy + o + i, cnt), vscale))));
        store_n(dx + o + i, g, cnt);
        const float64x2_t g0 = vcvt_f64_f32(vget_low_f32(g)), g1 = vcvt_high_f64_f32(g);
        sg.add(i, g0, g1);
        sgx.add(i, vmulq_f64(g0, h0), vmulq_f64(g1, h1));
      });
    }
    LaneConsts k, mg, mgx;
    for (int64_t j = 0; j < bw; j++) {
      if (dweight) dweight[cb + j] = (float)sgx.v[j];
      if (dbias) dbias[cb + j] = (float)sg.v[j];
      k.v[j] = q.w.v[j] * q.is.v[j], mg.v[j] = sg.v[j] / M, mgx.v[j] = sgx.v[j] / M;
    }
    for (int64_t n = 0; n < N; n++) {
      const int64_t o = n * C + cb;
      for (int64_t j = 0; j < bw; j += 4) {
        const int64_t cnt = bw - j < 4 ? bw - j : 4;
        const float32x4_t g = load_n(dx + o + j, cnt);
        float64x2_t r0 = vmulq_f64(k.lo(j), vcvt_f64_f32(vget_low_f32(g))), r1 = vmulq_f64(k.hi(j), vcvt_high_f64_f32(g));
        if (p->training) {
          // k * ((g - mean_g) - ((x - m) * is) * mean_gx), operation for operation as the scalar variant
          const float32x4_t xv = load_n(x + o + j, cnt);
          const float64x2_t t0 = vmulq_f64(q.xhat(vcvt_f64_f32(vget_low_f32(xv)), j), mgx.lo(j));
          const float64x2_t t1 = vmulq_f64(q.xhat(vcvt_high_f64_f32(xv), j + 2), mgx.hi(j));
          r0 = vmulq_f64(k.lo(j), vsubq_f64(vsubq_f64(vcvt_f64_f32(vget_low_f32(g)), mg.lo(j)), t0));
          r1 = vmulq_f64(k.hi(j), vsubq_f64(vsubq_f64(vcvt_high_f64_f32(g), mg.hi(j)), t1));
        }
        store_n(dx + o + j, vcombine_f32(vcvt_f32_f64(r0), vcvt_f32_f64(r1)), cnt);
      }
    }
  });
}

// The training/eval forward; batch_mean/batch_var (both or neither) replace the statistics pass.
static void forward_impl(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                         const float* x, const double* batch_mean, const double* batch_var, const float* weight,
                         const float* bias, const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length, S = C * L;
  const double M = (double)(N * L);
  const float scale = dropout_scale(p->p);
  const uint64_t threshold = dropout_threshold(p->p);
  if (L == 1) return forward_nc(y, save_mean, save_invstd, running_mean, running_var, x, batch_mean, batch_var, weight, bias, p);
  parallel_for(C, grain_for(N * L * 12), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const float* xc = x + c * L;
      // Double lanes throughout (as the scalar variant: plain two-pass in double), so the saved
      // statistics match it to the last bit but for the order of the double sums.
      channel_statistics(p, c, [&](double* mean, double* var) {
        *mean = batch_mean ? batch_mean[c] : dsum(xc, N, L, S, [](float64x2_t v) { return v; }) / M;
        const float64x2_t vm = vdupq_n_f64(*mean);
        *var = batch_var ? batch_var[c] : dsum(xc, N, L, S, [&](float64x2_t v) { const float64x2_t d = vsubq_f64(v, vm); return vmulq_f64(d, d); }) / M;
      }, save_mean, save_invstd, running_mean, running_var);
      const ChannelConsts k{(double)save_mean[c], (double)save_invstd[c], weight ? (double)weight[c] : 1.0,
                            bias ? (double)bias[c] : 0.0};
      const float32x4_t vscale = vdupq_n_f32(scale), zero = vdupq_n_f32(0.0f);
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = (n * C + c) * L;
        for_keep4(p->seed, p->stream, threshold, p->offset + (uint64_t)o, L, [&](int64_t i, uint32x4_t keep) {
          const int64_t cnt = L - i < 4 ? L - i : 4;
          const float32x4_t v = bn_value(load_n(x + o + i, cnt), k);
          const float32x4_t r = vbslq_f32(vcltq_f32(v, zero), zero, v);
          store_n(y + o + i, vreinterpretq_f32_u32(vandq_u32(keep, vreinterpretq_u32_f32(vmulq_f32(r, vscale)))), cnt);
        });
      }
    }
  });
}

void f32_bn_relu_dropout_forward__neon(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                       float* running_var, const float* x, const float* weight,
                                       const float* bias, const keel_bn_relu_dropout_params* p) {
  forward_impl(y, save_mean, save_invstd, running_mean, running_var, x, nullptr, nullptr, weight, bias, p);
}

void f32_bn_relu_dropout_forward_with_stats__neon(float* y, float* save_mean, float* save_invstd, float* running_mean,
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
  const float scale = dropout_scale(p->p);
  const uint64_t threshold = dropout_threshold(p->p);
  if (L == 1) return backward_nc(dx, dweight, dbias, dy, x, y, mean, invstd, weight, bias, p);
  parallel_for(C, grain_for(N * L * 16), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const ChannelConsts k{(double)mean[c], (double)invstd[c], weight ? (double)weight[c] : 1.0,
                            bias ? (double)bias[c] : 0.0};
      const float64x2_t vm = vdupq_n_f64(k.m), vis = vdupq_n_f64(k.is);
      const float32x4_t vscale = vdupq_n_f32(scale), zero = vdupq_n_f32(0.0f);
      float64x2_t sg = vdupq_n_f64(0), sgx = vdupq_n_f64(0);
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = (n * C + c) * L;
        for_keep4(p->seed, p->stream, y ? 0 : threshold, p->offset + (uint64_t)o, L, [&](int64_t i, uint32x4_t keep) {
          const int64_t cnt = L - i < 4 ? L - i : 4;
          const float32x4_t xv = load_n(x + o + i, cnt);
          const uint32x4_t live = y ? vcgtq_f32(load_n(y + o + i, cnt), zero) : vandq_u32(keep, vcgtq_f32(bn_value(xv, k), zero));
          // lanes past cnt: dy loads as 0, so g is 0 there and adds nothing
          const float32x4_t g = vreinterpretq_f32_u32(
              vandq_u32(live, vreinterpretq_u32_f32(vmulq_f32(load_n(dy + o + i, cnt), vscale))));
          store_n(dx + o + i, g, cnt);
          const float64x2_t glo = vcvt_f64_f32(vget_low_f32(g)), ghi = vcvt_high_f64_f32(g);
          const float64x2_t hlo = vmulq_f64(vsubq_f64(vcvt_f64_f32(vget_low_f32(xv)), vm), vis);
          const float64x2_t hhi = vmulq_f64(vsubq_f64(vcvt_high_f64_f32(xv), vm), vis);
          sg = vaddq_f64(sg, vaddq_f64(glo, ghi));
          sgx = vaddq_f64(sgx, vaddq_f64(vmulq_f64(glo, hlo), vmulq_f64(ghi, hhi)));
        });
      }
      const double sum_g = vaddvq_f64(sg), sum_g_xhat = vaddvq_f64(sgx);
      if (dweight) dweight[c] = (float)sum_g_xhat;
      if (dbias) dbias[c] = (float)sum_g;
      const double kk = k.w * k.is, mean_g = sum_g / M, mean_g_xhat = sum_g_xhat / M;
      const float64x2_t vk = vdupq_n_f64(kk), vmg = vdupq_n_f64(mean_g), vmgx = vdupq_n_f64(mean_g_xhat);
      for (int64_t n = 0; n < N; n++) {
        float* dxr = dx + (n * C + c) * L;
        const float* xr = x + (n * C + c) * L;
        int64_t l = 0;
        if (p->training) {
          for (; l + 2 <= L; l += 2) {
            const float64x2_t g = vcvt_f64_f32(vld1_f32(dxr + l));
            const float64x2_t h = vmulq_f64(vmulq_f64(vsubq_f64(vcvt_f64_f32(vld1_f32(xr + l)), vm), vis), vmgx);
            vst1_f32(dxr + l, vcvt_f32_f64(vmulq_f64(vk, vsubq_f64(vsubq_f64(g, vmg), h))));
          }
          for (; l < L; l++)
            dxr[l] = (float)(kk * ((double)dxr[l] - mean_g - ((double)xr[l] - k.m) * k.is * mean_g_xhat));
        } else {
          for (; l + 2 <= L; l += 2) vst1_f32(dxr + l, vcvt_f32_f64(vmulq_f64(vk, vcvt_f64_f32(vld1_f32(dxr + l)))));
          for (; l < L; l++) dxr[l] = (float)(kk * (double)dxr[l]);
        }
      }
    }
  });
}

void f32_bn_relu_dropout_backward__neon(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                                        const float* mean, const float* invstd, const float* weight,
                                        const float* bias, const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, nullptr, mean, invstd, weight, bias, p);
}

void f32_bn_relu_dropout_backward_with_output__neon(float* dx, float* dweight, float* dbias, const float* dy,
                                                   const float* x, const float* y, const float* mean,
                                                   const float* invstd, const float* weight,
                                                   const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, y, mean, invstd, weight, nullptr, p);
}

}  // namespace keel
