// BatchNorm1d, NEON (arm64): 4-lane float32 with explicit FMAs (vfmaq_f32) and scalar tails.
//
// Two layouts, both split into threads by channel blocks (shape only, so bitwise identical for any
// thread count):
//   (N, C, L), L > 1: a channel is N rows of L contiguous values; vectors run along each row.
//   (N, C) (L = 1):   a vector holds 4 neighbouring channels of one sample; rows run over N.
//
// Accuracy (DESIGN.md §4; never E[x^2] - E[x]^2):
//   - sums are blocked: float32 vector partial sums over at most kBlock values per lane, each block
//     flushed into double accumulators, so float error stays that of a kBlock-term sum;
//   - variance is two-pass around the pass-1 float mean m_f, with m_f's error corrected exactly:
//     S1 = sum (x - m_f), S2 = sum (x - m_f)^2, mean = m_f + S1/M, var = (S2 - S1^2/M) / M
//     (pass 1's float block sums lose bits when |mean| >> std; S1 gives them back);
//   - normalise uses the double mean split in two floats (m_hi + m_lo), so x - mean keeps its
//     precision when |mean| >> std: y = fma((x - m_hi) - m_lo, float(invstd w), b).
#include <arm_neon.h>
#include <math.h>

#include "batchnorm1d.h"
#include "keel.h"
#include "parallel.h"

namespace keel {
namespace {

const int64_t kBlock = 64;  // values per lane summed in float32 before flushing to double

inline float64x2_t widen_add(float64x2_t acc, float32x4_t v) {
  return vaddq_f64(vaddq_f64(acc, vcvt_f64_f32(vget_low_f32(v))), vcvt_high_f64_f32(v));
}
inline double hsum(float64x2_t v) { return vaddvq_f64(v); }

// Sums of one channel over rows [0, N) of length L at stride S (L >= 4 path): returns sum f(x) in
// double, where g maps a vector to the vector summed and gs a scalar to the double summed.
template <typename G, typename GS>
double channel_sum(const float* base, int64_t N, int64_t L, int64_t S, const G& g, const GS& gs) {
  float64x2_t dacc = vdupq_n_f64(0.0);
  double tail = 0.0;
  for (int64_t n = 0; n < N; n++) {
    const float* r = base + n * S;
    int64_t l = 0;
    while (l + 16 <= L) {
      float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
      const int64_t end = l + 16 * kBlock < L ? l + 16 * kBlock : L;
      for (; l + 16 <= end; l += 16) {
        a0 = vaddq_f32(a0, g(vld1q_f32(r + l), l));
        a1 = vaddq_f32(a1, g(vld1q_f32(r + l + 4), l + 4));
        a2 = vaddq_f32(a2, g(vld1q_f32(r + l + 8), l + 8));
        a3 = vaddq_f32(a3, g(vld1q_f32(r + l + 12), l + 12));
      }
      dacc = widen_add(dacc, vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    }
    if (l + 4 <= L) {
      float32x4_t a = vdupq_n_f32(0);
      for (; l + 4 <= L; l += 4) a = vaddq_f32(a, g(vld1q_f32(r + l), l));
      dacc = widen_add(dacc, a);
    }
    for (; l < L; l++) tail += gs(r[l], l);
  }
  return hsum(dacc) + tail;
}

struct Affine {
  float m_hi, m_lo, scale, shift;  // y = ((x - m_hi) - m_lo) * scale + shift
};

inline Affine make_affine(double mean, double invstd, const float* weight, const float* bias, int64_t c) {
  const double w = weight ? (double)weight[c] : 1.0, b = bias ? (double)bias[c] : 0.0;
  Affine a;
  a.m_hi = (float)mean;
  a.m_lo = (float)(mean - (double)a.m_hi);
  a.scale = (float)(invstd * w);
  a.shift = (float)b;
  return a;
}

// y rows of one channel (L > 1 layout).
void normalise_channel(float* y, const float* x, int64_t N, int64_t L, int64_t S, const Affine& a) {
  const float32x4_t hi = vdupq_n_f32(a.m_hi), lo = vdupq_n_f32(a.m_lo), sc = vdupq_n_f32(a.scale),
                    sh = vdupq_n_f32(a.shift);
  for (int64_t n = 0; n < N; n++) {
    const float* xr = x + n * S;
    float* yr = y + n * S;
    int64_t l = 0;
    for (; l + 8 <= L; l += 8) {
      const float32x4_t d0 = vsubq_f32(vsubq_f32(vld1q_f32(xr + l), hi), lo);
      const float32x4_t d1 = vsubq_f32(vsubq_f32(vld1q_f32(xr + l + 4), hi), lo);
      vst1q_f32(yr + l, vfmaq_f32(sh, d0, sc));
      vst1q_f32(yr + l + 4, vfmaq_f32(sh, d1, sc));
    }
    for (; l + 4 <= L; l += 4) vst1q_f32(yr + l, vfmaq_f32(sh, vsubq_f32(vsubq_f32(vld1q_f32(xr + l), hi), lo), sc));
    for (; l < L; l++) yr[l] = fmaf((xr[l] - a.m_hi) - a.m_lo, a.scale, a.shift);
  }
}

void update_running(float* running_mean, float* running_var, int64_t c, double mean, double var, double M, double f) {
  if (!running_mean) return;
  running_mean[c] = (float)((1.0 - f) * (double)running_mean[c] + f * mean);
  running_var[c] = (float)((1.0 - f) * (double)running_var[c] + f * (var * M / (M - 1.0)));
}

// ---- (N, C, L), L > 1: one task per channel ----------------------------------------------------------

void train_forward_ncl(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                       const float* x, const float* weight, const float* bias, const keel_batchnorm1d_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length, S = C * L;
  const double M = (double)(N * L), f = p->exponential_average_factor;
  parallel_for(C, grain_for(N * L * 12), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const float* xc = x + c * L;
      const double sum = channel_sum(xc, N, L, S, [](float32x4_t v, int64_t) { return v; },
                                     [](float v, int64_t) { return (double)v; });
      double mean = sum / M;
      const float mf = (float)mean;
      const float32x4_t vm = vdupq_n_f32(mf);
      const double s1 = channel_sum(xc, N, L, S, [&](float32x4_t v, int64_t) { return vsubq_f32(v, vm); },
                                    [&](float v, int64_t) { return (double)v - (double)mf; });
      const double s2 = channel_sum(xc, N, L, S,
                                    [&](float32x4_t v, int64_t) {
                                      const float32x4_t d = vsubq_f32(v, vm);
                                      return vmulq_f32(d, d);
                                    },
                                    [&](float v, int64_t) {
                                      const double d = (double)v - (double)mf;
                                      return d * d;
                                    });
      mean = (double)mf + s1 / M;  // pass 2 corrects pass 1's float block sums
      double var = (s2 - s1 * s1 / M) / M;
      if (var < 0) var = 0;
      const double invstd = 1.0 / sqrt(var + p->eps);
      save_mean[c] = (float)mean;
      save_invstd[c] = (float)invstd;
      update_running(running_mean, running_var, c, mean, var, M, f);
      normalise_channel(y + c * L, xc, N, L, S, make_affine(mean, invstd, weight, bias, c));
    }
  });
}

void eval_forward_ncl(float* y, const float* x, const float* running_mean, const float* running_var,
                      const float* weight, const float* bias, const keel_batchnorm1d_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length, S = C * L;
  parallel_for(C, grain_for(N * L * 8), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const double invstd = 1.0 / sqrt((double)running_var[c] + p->eps);
      normalise_channel(y + c * L, x + c * L, N, L, S, make_affine((double)running_mean[c], invstd, weight, bias, c));
    }
  });
}

void backward_ncl(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* mean,
                  const float* invstd, const float* weight, const keel_batchnorm1d_backward_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length, S = C * L;
  const double M = (double)(N * L);
  parallel_for(C, grain_for(N * L * 16), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const float mu = mean[c], is = invstd[c];
      const float* xc = x + c * L;
      const float* dyc = dy + c * L;
      float* dxc = dx + c * L;
      double sum_dy = 0.0, sum_dy_xhat = 0.0;
      const bool need_sums = p->training || dweight || dbias;
      if (need_sums) {
        // Both sums in one pass over x and dy.
        const float32x4_t vmu = vdupq_n_f32(mu), vis = vdupq_n_f32(is);
        float64x2_t d_dy = vdupq_n_f64(0), d_dyx = vdupq_n_f64(0);
        for (int64_t n = 0; n < N; n++) {
          const float* xr = xc + n * S;
          const float* dyr = dyc + n * S;
          int64_t l = 0;
          while (l + 8 <= L) {
            float32x4_t a0 = vdupq_n_f32(0), a1 = a0, b0 = a0, b1 = a0;
            const int64_t end = l + 8 * kBlock < L ? l + 8 * kBlock : L;
            for (; l + 8 <= end; l += 8) {
              const float32x4_t g0 = vld1q_f32(dyr + l), g1 = vld1q_f32(dyr + l + 4);
              const float32x4_t h0 = vmulq_f32(vsubq_f32(vld1q_f32(xr + l), vmu), vis);
              const float32x4_t h1 = vmulq_f32(vsubq_f32(vld1q_f32(xr + l + 4), vmu), vis);
              a0 = vaddq_f32(a0, g0), a1 = vaddq_f32(a1, g1);
              b0 = vfmaq_f32(b0, g0, h0), b1 = vfmaq_f32(b1, g1, h1);
            }
            d_dy = widen_add(d_dy, vaddq_f32(a0, a1));
            d_dyx = widen_add(d_dyx, vaddq_f32(b0, b1));
          }
          for (; l < L; l++) {
            const double g = (double)dyr[l];
            sum_dy += g;
            sum_dy_xhat += g * (((double)xr[l] - (double)mu) * (double)is);
          }
        }
        sum_dy += hsum(d_dy);
        sum_dy_xhat += hsum(d_dyx);
      }
      if (dweight) dweight[c] = (float)sum_dy_xhat;
      if (dbias) dbias[c] = (float)sum_dy;
      const double kd = (weight ? (double)weight[c] : 1.0) * (double)is;
      const float k = (float)kd;
      const float32x4_t vk = vdupq_n_f32(k);
      if (p->training) {
        const float mdy = (float)(sum_dy / M), mdx = (float)(sum_dy_xhat / M);
        const float32x4_t vmdy = vdupq_n_f32(mdy), vmdx = vdupq_n_f32(mdx), vmu = vdupq_n_f32(mu),
                          vis = vdupq_n_f32(is);
        for (int64_t n = 0; n < N; n++) {
          const float* xr = xc + n * S;
          const float* dyr = dyc + n * S;
          float* dxr = dxc + n * S;
          int64_t l = 0;
          for (; l + 4 <= L; l += 4) {
            const float32x4_t h = vmulq_f32(vsubq_f32(vld1q_f32(xr + l), vmu), vis);
            const float32x4_t t = vfmsq_f32(vsubq_f32(vld1q_f32(dyr + l), vmdy), h, vmdx);
            vst1q_f32(dxr + l, vmulq_f32(vk, t));
          }
          for (; l < L; l++) {
            const float h = (xr[l] - mu) * is;
            dxr[l] = k * fmaf(-h, mdx, dyr[l] - mdy);
          }
        }
      } else {
        for (int64_t n = 0; n < N; n++) {
          const float* dyr = dyc + n * S;
          float* dxr = dxc + n * S;
          int64_t l = 0;
          for (; l + 4 <= L; l += 4) vst1q_f32(dxr + l, vmulq_f32(vk, vld1q_f32(dyr + l)));
          for (; l < L; l++) dxr[l] = k * dyr[l];
        }
      }
    }
  });
}

// ---- (N, C): vectors across 4 channels, one task per block of channels ------------------------------

const int64_t kChanTask = 16;  // channels per task (4 vectors)

// Per-lane double sums over n of g(row n's 4 channels at c), blocked in float32.
template <typename G>
void lane_sums(const float* x, int64_t N, int64_t C, int64_t c, const G& g, float64x2_t* lo, float64x2_t* hi) {
  float64x2_t dl = vdupq_n_f64(0), dh = vdupq_n_f64(0);
  for (int64_t n0 = 0; n0 < N; n0 += kBlock) {
    const int64_t n1 = n0 + kBlock < N ? n0 + kBlock : N;
    float32x4_t a = vdupq_n_f32(0);
    for (int64_t n = n0; n < n1; n++) a = vaddq_f32(a, g(vld1q_f32(x + n * C + c), n));
    dl = vaddq_f64(dl, vcvt_f64_f32(vget_low_f32(a)));
    dh = vaddq_f64(dh, vcvt_high_f64_f32(a));
  }
  *lo = dl, *hi = dh;
}

void train_forward_nc(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                      const float* x, const float* weight, const float* bias, const keel_batchnorm1d_params* p) {
  const int64_t N = p->batch, C = p->channels;
  const double M = (double)N, f = p->exponential_average_factor;
  const int64_t tasks = (C + kChanTask - 1) / kChanTask;
  parallel_for(tasks, grain_for(N * kChanTask * 12), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t cb = t * kChanTask, ce = cb + kChanTask < C ? cb + kChanTask : C;
      int64_t c = cb;
      for (; c + 4 <= ce; c += 4) {
        float64x2_t lo, hi;
        lane_sums(x, N, C, c, [](float32x4_t v, int64_t) { return v; }, &lo, &hi);
        double mean[4] = {vgetq_lane_f64(lo, 0) / M, vgetq_lane_f64(lo, 1) / M, vgetq_lane_f64(hi, 0) / M,
                          vgetq_lane_f64(hi, 1) / M};
        float mf[4];
        for (int i = 0; i < 4; i++) mf[i] = (float)mean[i];
        const float32x4_t vm = vld1q_f32(mf);
        float64x2_t s1l, s1h, s2l, s2h;
        lane_sums(x, N, C, c, [&](float32x4_t v, int64_t) { return vsubq_f32(v, vm); }, &s1l, &s1h);
        lane_sums(x, N, C, c, [&](float32x4_t v, int64_t) { const float32x4_t d = vsubq_f32(v, vm); return vmulq_f32(d, d); },
                  &s2l, &s2h);
        const double s1[4] = {vgetq_lane_f64(s1l, 0), vgetq_lane_f64(s1l, 1), vgetq_lane_f64(s1h, 0), vgetq_lane_f64(s1h, 1)};
        const double s2[4] = {vgetq_lane_f64(s2l, 0), vgetq_lane_f64(s2l, 1), vgetq_lane_f64(s2h, 0), vgetq_lane_f64(s2h, 1)};
        float mhi[4], mlo[4], sc[4], sh[4];
        for (int i = 0; i < 4; i++) {
          mean[i] = (double)mf[i] + s1[i] / M;  // pass 2 corrects pass 1's float block sums
          double var = (s2[i] - s1[i] * s1[i] / M) / M;
          if (var < 0) var = 0;
          const double invstd = 1.0 / sqrt(var + p->eps);
          save_mean[c + i] = (float)mean[i];
          save_invstd[c + i] = (float)invstd;
          update_running(running_mean, running_var, c + i, mean[i], var, M, f);
          const Affine a = make_affine(mean[i], invstd, weight, bias, c + i);
          mhi[i] = a.m_hi, mlo[i] = a.m_lo, sc[i] = a.scale, sh[i] = a.shift;
        }
        const float32x4_t vhi = vld1q_f32(mhi), vlo = vld1q_f32(mlo), vsc = vld1q_f32(sc), vsh = vld1q_f32(sh);
        for (int64_t n = 0; n < N; n++)
          vst1q_f32(y + n * C + c, vfmaq_f32(vsh, vsubq_f32(vsubq_f32(vld1q_f32(x + n * C + c), vhi), vlo), vsc));
      }
      for (; c < ce; c++) {  // channel tail: the one-channel form of the same algebra
        double sum = 0;
        for (int64_t n = 0; n < N; n++) sum += (double)x[n * C + c];
        const double mean = sum / M;
        const float mf = (float)mean;
        double s1 = 0, s2 = 0;
        for (int64_t n = 0; n < N; n++) {
          const double d = (double)x[n * C + c] - (double)mf;
          s1 += d, s2 += d * d;
        }
        const double mean_c = (double)mf + s1 / M;
        double var = (s2 - s1 * s1 / M) / M;
        if (var < 0) var = 0;
        const double invstd = 1.0 / sqrt(var + p->eps);
        save_mean[c] = (float)mean_c;
        save_invstd[c] = (float)invstd;
        update_running(running_mean, running_var, c, mean_c, var, M, f);
        const Affine a = make_affine(mean_c, invstd, weight, bias, c);
        for (int64_t n = 0; n < N; n++) y[n * C + c] = fmaf((x[n * C + c] - a.m_hi) - a.m_lo, a.scale, a.shift);
      }
    }
  });
}

void eval_forward_nc(float* y, const float* x, const float* running_mean, const float* running_var,
                     const float* weight, const float* bias, const keel_batchnorm1d_params* p) {
  const int64_t N = p->batch, C = p->channels;
  const int64_t tasks = (C + kChanTask - 1) / kChanTask;
  parallel_for(tasks, grain_for(N * kChanTask * 8), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t cb = t * kChanTask, ce = cb + kChanTask < C ? cb + kChanTask : C;
      float mhi[kChanTask], mlo[kChanTask], sc[kChanTask], sh[kChanTask];
      for (int64_t c = cb; c < ce; c++) {
        const Affine a = make_affine((double)running_mean[c], 1.0 / sqrt((double)running_var[c] + p->eps), weight, bias, c);
        mhi[c - cb] = a.m_hi, mlo[c - cb] = a.m_lo, sc[c - cb] = a.scale, sh[c - cb] = a.shift;
      }
      for (int64_t n = 0; n < N; n++) {
        int64_t c = cb;
        for (; c + 4 <= ce; c += 4) {
          const int64_t i = c - cb;
          const float32x4_t d = vsubq_f32(vsubq_f32(vld1q_f32(x + n * C + c), vld1q_f32(mhi + i)), vld1q_f32(mlo + i));
          vst1q_f32(y + n * C + c, vfmaq_f32(vld1q_f32(sh + i), d, vld1q_f32(sc + i)));
        }
        for (; c < ce; c++) {
          const int64_t i = c - cb;
          y[n * C + c] = fmaf((x[n * C + c] - mhi[i]) - mlo[i], sc[i], sh[i]);
        }
      }
    }
  });
}

void backward_nc(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* mean,
                 const float* invstd, const float* weight, const keel_batchnorm1d_backward_params* p) {
  const int64_t N = p->batch, C = p->channels;
  const double M = (double)N;
  const int64_t tasks = (C + kChanTask - 1) / kChanTask;
  parallel_for(tasks, grain_for(N * kChanTask * 16), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t cb = t * kChanTask, ce = cb + kChanTask < C ? cb + kChanTask : C;
      float k[kChanTask], mdy[kChanTask], mdx[kChanTask];
      int64_t c = cb;
      for (; c + 4 <= ce; c += 4) {
        const float32x4_t vmu = vld1q_f32(mean + c), vis = vld1q_f32(invstd + c);
        float64x2_t gl, gh, hl, hh;
        lane_sums(dy, N, C, c, [](float32x4_t v, int64_t) { return v; }, &gl, &gh);
        lane_sums(dy, N, C, c,
                  [&](float32x4_t g, int64_t n) { return vmulq_f32(g, vmulq_f32(vsubq_f32(vld1q_f32(x + n * C + c), vmu), vis)); },
                  &hl, &hh);
        const double sdy[4] = {vgetq_lane_f64(gl, 0), vgetq_lane_f64(gl, 1), vgetq_lane_f64(gh, 0), vgetq_lane_f64(gh, 1)};
        const double sdx[4] = {vgetq_lane_f64(hl, 0), vgetq_lane_f64(hl, 1), vgetq_lane_f64(hh, 0), vgetq_lane_f64(hh, 1)};
        for (int i = 0; i < 4; i++) {
          if (dweight) dweight[c + i] = (float)sdx[i];
          if (dbias) dbias[c + i] = (float)sdy[i];
          k[c + i - cb] = (float)((weight ? (double)weight[c + i] : 1.0) * (double)invstd[c + i]);
          mdy[c + i - cb] = (float)(sdy[i] / M), mdx[c + i - cb] = (float)(sdx[i] / M);
        }
      }
      for (; c < ce; c++) {
        double sdy = 0, sdx = 0;
        for (int64_t n = 0; n < N; n++) {
          const double g = (double)dy[n * C + c];
          sdy += g;
          sdx += g * (((double)x[n * C + c] - (double)mean[c]) * (double)invstd[c]);
        }
        if (dweight) dweight[c] = (float)sdx;
        if (dbias) dbias[c] = (float)sdy;
        k[c - cb] = (float)((weight ? (double)weight[c] : 1.0) * (double)invstd[c]);
        mdy[c - cb] = (float)(sdy / M), mdx[c - cb] = (float)(sdx / M);
      }
      for (int64_t n = 0; n < N; n++) {
        c = cb;
        for (; c + 4 <= ce; c += 4) {
          const int64_t i = c - cb;
          const float32x4_t g = vld1q_f32(dy + n * C + c);
          if (p->training) {
            const float32x4_t h = vmulq_f32(vsubq_f32(vld1q_f32(x + n * C + c), vld1q_f32(mean + c)), vld1q_f32(invstd + c));
            const float32x4_t tt = vfmsq_f32(vsubq_f32(g, vld1q_f32(mdy + i)), h, vld1q_f32(mdx + i));
            vst1q_f32(dx + n * C + c, vmulq_f32(vld1q_f32(k + i), tt));
          } else {
            vst1q_f32(dx + n * C + c, vmulq_f32(vld1q_f32(k + i), g));
          }
        }
        for (; c < ce; c++) {
          const int64_t i = c - cb;
          if (p->training) {
            const float h = (x[n * C + c] - mean[c]) * invstd[c];
            dx[n * C + c] = k[i] * fmaf(-h, mdx[i], dy[n * C + c] - mdy[i]);
          } else {
            dx[n * C + c] = k[i] * dy[n * C + c];
          }
        }
      }
    }
  });
}

}  // namespace

void f32_batchnorm1d_train_forward__neon(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                         float* running_var, const float* x, const float* weight,
                                         const float* bias, const keel_batchnorm1d_params* p) {
  if (p->length == 1) train_forward_nc(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, p);
  else train_forward_ncl(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, p);
}

void f32_batchnorm1d_eval_forward__neon(float* y, const float* x, const float* running_mean,
                                        const float* running_var, const float* weight, const float* bias,
                                        const keel_batchnorm1d_params* p) {
  if (p->length == 1) eval_forward_nc(y, x, running_mean, running_var, weight, bias, p);
  else eval_forward_ncl(y, x, running_mean, running_var, weight, bias, p);
}

void f32_batchnorm1d_backward__neon(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                                    const float* mean, const float* invstd, const float* weight,
                                    const keel_batchnorm1d_backward_params* p) {
  if (p->length == 1) backward_nc(dx, dweight, dbias, dy, x, mean, invstd, weight, p);
  else backward_ncl(dx, dweight, dbias, dy, x, mean, invstd, weight, p);
}

void register_batchnorm1d_neon(keel_kernels* k) {
  k->batchnorm1d_train_forward = f32_batchnorm1d_train_forward__neon, k->batchnorm1d_train_forward_variant = "neon";
  k->batchnorm1d_eval_forward = f32_batchnorm1d_eval_forward__neon, k->batchnorm1d_eval_forward_variant = "neon";
  k->batchnorm1d_backward = f32_batchnorm1d_backward__neon, k->batchnorm1d_backward_variant = "neon";
}

}  // namespace keel
