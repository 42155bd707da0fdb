// Fused BatchNorm1d -> ReLU -> Dropout, NEON (arm64). The math is keel.h's / src/ref/fused.ts's
// (see f32-fused-scalar.cc). Per channel (one task of the pool each, so any thread count gives the
// same bits):
//   statistics  two-pass in float64x2 lanes (mean, then sum (x - mean)^2), the scalar variant's
//               double arithmetic; only the order of these double sums differs from it;
//   forward     v = float(((double)x - m) * is * w + b) in float64x2 lanes, the same double ops in
//               the same order as the scalar variant, so v, the ReLU decision and the dropout product
//               (float) are bitwise the scalar ones given the same saved statistics; keep masks come
//               from the vectorised Philox (philox-neon.h), bit for bit the reference's;
//   backward    g = keep && v > 0 ? dy * scale : 0 (v recomputed as in forward), double sums of g
//               and g * xhat in vector lanes, then dx in double lanes.
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

}  // namespace

// The training/eval forward; batch_mean/batch_var (both or neither) replace the statistics pass.
static void forward_impl(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                         const float* x, const double* batch_mean, const double* batch_var, const float* weight,
                         const float* bias, const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length, S = C * L;
  const double M = (double)(N * L);
  const float scale = dropout_scale(p->p);
  const uint64_t threshold = dropout_threshold(p->p);
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

void f32_bn_relu_dropout_backward__neon(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                                        const float* mean, const float* invstd, const float* weight,
                                        const float* bias, const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L);
  const float scale = dropout_scale(p->p);
  const uint64_t threshold = dropout_threshold(p->p);
  parallel_for(C, grain_for(N * L * 16), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const ChannelConsts k{(double)mean[c], (double)invstd[c], weight ? (double)weight[c] : 1.0,
                            bias ? (double)bias[c] : 0.0};
      const float64x2_t vm = vdupq_n_f64(k.m), vis = vdupq_n_f64(k.is);
      const float32x4_t vscale = vdupq_n_f32(scale), zero = vdupq_n_f32(0.0f);
      float64x2_t sg = vdupq_n_f64(0), sgx = vdupq_n_f64(0);
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = (n * C + c) * L;
        for_keep4(p->seed, p->stream, threshold, p->offset + (uint64_t)o, L, [&](int64_t i, uint32x4_t keep) {
          const int64_t cnt = L - i < 4 ? L - i : 4;
          const float32x4_t xv = load_n(x + o + i, cnt);
          const float32x4_t v = bn_value(xv, k);
          const uint32x4_t live = vandq_u32(keep, vcgtq_f32(v, zero));
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

}  // namespace keel
