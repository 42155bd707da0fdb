// Conv1d, NEON (arm64): 4-lane float32 with explicit FMAs (vfmaq_n_f32), every option (stride,
// padding left/right, dilation, groups, bias). Each output element is accumulated by one task in an
// order fixed by the shape, and the vector and scalar (edge/tail) paths use the same order and the
// same fused multiply-adds, so results are bitwise identical for any thread count and any split of
// an output row into vectors.
//
//   forward        tasks (n, group, block of 4 output channels); a micro-kernel keeps 4 channels x
//                  16 outputs in registers and runs over (ci, j); outputs whose taps reach the
//                  padding are the scalar edges.
//   backward data  the transposed convolution, split by residue class u = rho + s*m of the input
//                  position: within a class every tap j either never or always contributes, with
//                  t = base_j + m, so dy is read contiguously along m. Tasks (n, group, block of 4
//                  input channels), 4 channels x 16 positions in registers, sums over (co, j).
//   backward weight tasks (group, block of 4 output channels, ci): for each tap, dot products of dy
//                  rows with the (strided) x row over the valid t range, float per row of dy and
//                  double across rows.
//   backward bias  float vector sums per row, double across rows.
#include <arm_neon.h>
#include <math.h>

#include "conv1d.h"
#include "conv1d-stats.h"
#include "keel.h"
#include "parallel.h"

namespace keel {
namespace {

struct Geo {
  int64_t N, Cin, L, Cout, K, s, padl, d, G, Lout, cin_g, cout_g;
  explicit Geo(const keel_conv1d_params* p)
      : N(p->batch), Cin(p->in_channels), L(p->in_length), Cout(p->out_channels), K(p->kernel_size),
        s(p->stride), padl(p->pad_left), d(p->dilation), G(p->groups), Lout(keel_conv1d_out_length(p)),
        cin_g(p->in_channels / p->groups), cout_g(p->out_channels / p->groups) {}
};

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }
inline int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

// 4 values at p[0], p[s], p[2s], p[3s].
inline float32x4_t load_strided(const float* p, int64_t s) {
  if (s == 1) return vld1q_f32(p);
  float32x4_t v = vdupq_n_f32(p[0]);
  v = vsetq_lane_f32(p[s], v, 1);
  v = vsetq_lane_f32(p[2 * s], v, 2);
  v = vsetq_lane_f32(p[3 * s], v, 3);
  return v;
}

// ---- forward ---------------------------------------------------------------------------------------

// Outputs t .. t + 4*TV of RC channels, all taps inside x.
template <int RC, int TV>
inline void fwd_tile(float* const* yrow, const float* xg, const float* const* wrow, const float* bias_r,
                     const Geo& g, int64_t t) {
  float32x4_t acc[RC][TV];
  for (int r = 0; r < RC; r++)
    for (int v = 0; v < TV; v++) acc[r][v] = vdupq_n_f32(0.0f);
  for (int64_t ci = 0; ci < g.cin_g; ci++) {
    const float* xr = xg + ci * g.L + t * g.s - g.padl;
    for (int64_t j = 0; j < g.K; j++) {
      const float* xb = xr + j * g.d;
      float32x4_t xv[TV];
      for (int v = 0; v < TV; v++) xv[v] = load_strided(xb + 4 * v * g.s, g.s);
      for (int r = 0; r < RC; r++) {
        const float w = wrow[r][ci * g.K + j];
        for (int v = 0; v < TV; v++) acc[r][v] = vfmaq_n_f32(acc[r][v], xv[v], w);
      }
    }
  }
  for (int r = 0; r < RC; r++)
    for (int v = 0; v < TV; v++) {
      float32x4_t o = acc[r][v];
      if (bias_r) o = vaddq_f32(o, vdupq_n_f32(bias_r[r]));
      vst1q_f32(yrow[r] + t + 4 * v, o);
    }
}

// One output t of one channel, taps checked against the padding; same order as fwd_tile.
inline float fwd_point(const float* xg, const float* wrow, const float* bias_r, const Geo& g, int64_t t) {
  float acc = 0.0f;
  for (int64_t ci = 0; ci < g.cin_g; ci++) {
    const float* xr = xg + ci * g.L;
    for (int64_t j = 0; j < g.K; j++) {
      const int64_t u = t * g.s - g.padl + j * g.d;
      if (u >= 0 && u < g.L) acc = fmaf(xr[u], wrow[ci * g.K + j], acc);
    }
  }
  return bias_r ? acc + *bias_r : acc;
}

template <int RC>
void fwd_block(float* y, const float* x, const float* w, const float* bias, const Geo& g, int64_t n, int64_t co0) {
  const int64_t grp = co0 / g.cout_g;
  const float* xg = x + (n * g.Cin + grp * g.cin_g) * g.L;
  float* yrow[RC];
  const float* wrow[RC];
  for (int r = 0; r < RC; r++) {
    yrow[r] = y + (n * g.Cout + co0 + r) * g.Lout;
    wrow[r] = w + (co0 + r) * g.cin_g * g.K;
  }
  const float* bias_r = bias ? bias + co0 : nullptr;
  // Interior: every tap of outputs [t_lo, t_hi) is inside x.
  int64_t t_lo = clamp(ceil_div(g.padl, g.s), 0, g.Lout);
  int64_t t_hi = clamp(floor_div(g.L - 1 + g.padl - (g.K - 1) * g.d, g.s) + 1, 0, g.Lout);
  if (t_hi < t_lo) t_hi = t_lo;
  auto point = [&](int64_t t) {
    for (int r = 0; r < RC; r++) yrow[r][t] = fwd_point(xg, wrow[r], bias_r ? bias_r + r : nullptr, g, t);
  };
  for (int64_t t = 0; t < t_lo; t++) point(t);
  int64_t t = t_lo;
  for (; t + 16 <= t_hi; t += 16) fwd_tile<RC, 4>(yrow, xg, wrow, bias_r, g, t);
  for (; t + 4 <= t_hi; t += 4) fwd_tile<RC, 1>(yrow, xg, wrow, bias_r, g, t);
  for (; t < g.Lout; t++) point(t);
}

// ---- backward data ---------------------------------------------------------------------------------

// Positions u = rho + s*(m .. m + 4*TV) of RC input channels; every contributing tap in range.
template <int RC, int TV>
inline void bwd_tile(float* const* dxrow, const float* dyg, const float* wg, const Geo& g, int64_t ci0, int64_t rho,
                     int64_t m) {
  float32x4_t acc[RC][TV];
  for (int r = 0; r < RC; r++)
    for (int v = 0; v < TV; v++) acc[r][v] = vdupq_n_f32(0.0f);
  for (int64_t co = 0; co < g.cout_g; co++) {
    const float* dyr = dyg + co * g.Lout;
    const float* wc = wg + (co * g.cin_g + ci0) * g.K;
    for (int64_t j = 0; j < g.K; j++) {
      const int64_t num = rho + g.padl - j * g.d;
      if (((num % g.s) + g.s) % g.s != 0) continue;
      const float* db = dyr + num / g.s + m;
      float32x4_t dv[TV];
      for (int v = 0; v < TV; v++) dv[v] = vld1q_f32(db + 4 * v);
      for (int r = 0; r < RC; r++) {
        const float wv = wc[r * g.K + j];
        for (int v = 0; v < TV; v++) acc[r][v] = vfmaq_n_f32(acc[r][v], dv[v], wv);
      }
    }
  }
  for (int r = 0; r < RC; r++)
    for (int v = 0; v < TV; v++) {
      float* o = dxrow[r] + rho + g.s * (m + 4 * v);
      if (g.s == 1) {
        vst1q_f32(o, acc[r][v]);
      } else {
        o[0] = vgetq_lane_f32(acc[r][v], 0);
        o[g.s] = vgetq_lane_f32(acc[r][v], 1);
        o[2 * g.s] = vgetq_lane_f32(acc[r][v], 2);
        o[3 * g.s] = vgetq_lane_f32(acc[r][v], 3);
      }
    }
}

inline float bwd_point(const float* dyg, const float* wg, const Geo& g, int64_t ci, int64_t rho, int64_t m) {
  float acc = 0.0f;
  for (int64_t co = 0; co < g.cout_g; co++) {
    const float* dyr = dyg + co * g.Lout;
    const float* wc = wg + (co * g.cin_g + ci) * g.K;
    for (int64_t j = 0; j < g.K; j++) {
      const int64_t num = rho + g.padl - j * g.d;
      if (((num % g.s) + g.s) % g.s != 0) continue;
      const int64_t t = num / g.s + m;
      if (t >= 0 && t < g.Lout) acc = fmaf(dyr[t], wc[j], acc);
    }
  }
  return acc;
}

template <int RC>
void bwd_block(float* dx, const float* dy, const float* w, const Geo& g, int64_t n, int64_t ci0_all) {
  const int64_t grp = ci0_all / g.cin_g, ci0 = ci0_all - grp * g.cin_g;
  const float* dyg = dy + (n * g.Cout + grp * g.cout_g) * g.Lout;
  const float* wg = w + grp * g.cout_g * g.cin_g * g.K;
  float* dxrow[RC];
  for (int r = 0; r < RC; r++) dxrow[r] = dx + (n * g.Cin + ci0_all + r) * g.L;
  for (int64_t rho = 0; rho < g.s && rho < g.L; rho++) {
    const int64_t Mr = (g.L - rho + g.s - 1) / g.s;  // positions of this class
    // Interior m: every contributing tap's t = base_j + m inside [0, Lout).
    int64_t m_lo = 0, m_hi = Mr;
    for (int64_t j = 0; j < g.K; j++) {
      const int64_t num = rho + g.padl - j * g.d;
      if (((num % g.s) + g.s) % g.s != 0) continue;
      const int64_t base = num / g.s;
      if (-base > m_lo) m_lo = -base;
      if (g.Lout - base < m_hi) m_hi = g.Lout - base;
    }
    m_lo = clamp(m_lo, 0, Mr);
    m_hi = clamp(m_hi, m_lo, Mr);
    auto point = [&](int64_t m) {
      for (int r = 0; r < RC; r++) dxrow[r][rho + g.s * m] = bwd_point(dyg, wg, g, ci0 + r, rho, m);
    };
    for (int64_t m = 0; m < m_lo; m++) point(m);
    int64_t m = m_lo;
    for (; m + 16 <= m_hi; m += 16) bwd_tile<RC, 4>(dxrow, dyg, wg, g, ci0, rho, m);
    for (; m + 4 <= m_hi; m += 4) bwd_tile<RC, 1>(dxrow, dyg, wg, g, ci0, rho, m);
    for (; m < Mr; m++) point(m);
  }
}

// ---- backward weight -------------------------------------------------------------------------------

template <int RC>
void bww_block(float* dw, const float* x, const float* dy, const Geo& g, int64_t co0, int64_t ci) {
  const int64_t grp = co0 / g.cout_g;
  for (int64_t j = 0; j < g.K; j++) {
    // t with u = t*s - padl + j*d in [0, L)
    const int64_t off = j * g.d - g.padl;
    const int64_t t_lo = clamp(ceil_div(-off, g.s), 0, g.Lout);
    const int64_t t_hi = clamp(floor_div(g.L - 1 - off, g.s) + 1, t_lo, g.Lout);
    double total[RC];
    for (int r = 0; r < RC; r++) total[r] = 0.0;
    for (int64_t n = 0; n < g.N; n++) {
      const float* xrow = x + (n * g.Cin + grp * g.cin_g + ci) * g.L;  // u = t*s + off
      const float* dyr[RC];
      for (int r = 0; r < RC; r++) dyr[r] = dy + (n * g.Cout + co0 + r) * g.Lout;
      float32x4_t acc[RC];
      for (int r = 0; r < RC; r++) acc[r] = vdupq_n_f32(0.0f);
      int64_t t = t_lo;
      for (; t + 4 <= t_hi; t += 4) {
        const float32x4_t xv = load_strided(xrow + t * g.s + off, g.s);
        for (int r = 0; r < RC; r++) acc[r] = vfmaq_f32(acc[r], vld1q_f32(dyr[r] + t), xv);
      }
      for (int r = 0; r < RC; r++) {
        float s = vaddvq_f32(acc[r]);
        for (int64_t tt = t; tt < t_hi; tt++) s = fmaf(dyr[r][tt], xrow[tt * g.s + off], s);
        total[r] += (double)s;
      }
    }
    for (int r = 0; r < RC; r++) dw[((co0 + r) * g.cin_g + ci) * g.K + j] = (float)total[r];
  }
}

}  // namespace

void f32_conv1d_forward__neon(float* y, const float* x, const float* w, const float* bias, const keel_conv1d_params* p) {
  const Geo g(p);
  if (g.Lout <= 0) return;
  const int64_t cb = (g.cout_g + 3) / 4, tasks = g.N * g.G * cb;
  const int64_t bytes = 4 * (4 * g.Lout + g.cin_g * g.L) + 8 * 4 * g.Lout * g.cin_g * g.K;  // traffic + work
  parallel_for(tasks, grain_for(bytes), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t n = task / (g.G * cb), rest = task % (g.G * cb), grp = rest / cb, blk = rest % cb;
      const int64_t co0 = grp * g.cout_g + blk * 4, rc = g.cout_g - blk * 4 < 4 ? g.cout_g - blk * 4 : 4;
      switch (rc) {
        case 4: fwd_block<4>(y, x, w, bias, g, n, co0); break;
        case 3: fwd_block<3>(y, x, w, bias, g, n, co0); break;
        case 2: fwd_block<2>(y, x, w, bias, g, n, co0); break;
        default: fwd_block<1>(y, x, w, bias, g, n, co0); break;
      }
    }
  });
}

void f32_conv1d_backward_data__neon(float* dx, const float* dy, const float* w, const keel_conv1d_params* p) {
  const Geo g(p);
  const int64_t cb = (g.cin_g + 3) / 4, tasks = g.N * g.G * cb;
  const int64_t bytes = 4 * (4 * g.L + g.cout_g * g.Lout) + 8 * 4 * g.L * g.cout_g * g.K / g.s;
  parallel_for(tasks, grain_for(bytes), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t n = task / (g.G * cb), rest = task % (g.G * cb), grp = rest / cb, blk = rest % cb;
      const int64_t ci0 = grp * g.cin_g + blk * 4, rc = g.cin_g - blk * 4 < 4 ? g.cin_g - blk * 4 : 4;
      switch (rc) {
        case 4: bwd_block<4>(dx, dy, w, g, n, ci0); break;
        case 3: bwd_block<3>(dx, dy, w, g, n, ci0); break;
        case 2: bwd_block<2>(dx, dy, w, g, n, ci0); break;
        default: bwd_block<1>(dx, dy, w, g, n, ci0); break;
      }
    }
  });
}

void f32_conv1d_backward_weight__neon(float* dw, const float* x, const float* dy, const keel_conv1d_params* p) {
  const Geo g(p);
  const int64_t cb = (g.cout_g + 3) / 4, tasks = g.G * cb * g.cin_g;
  const int64_t bytes = 8 * 5 * g.N * g.Lout * g.K;
  parallel_for(tasks, grain_for(bytes), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t grp = task / (cb * g.cin_g), rest = task % (cb * g.cin_g), blk = rest / g.cin_g,
                    ci = rest % g.cin_g;
      const int64_t co0 = grp * g.cout_g + blk * 4, rc = g.cout_g - blk * 4 < 4 ? g.cout_g - blk * 4 : 4;
      switch (rc) {
        case 4: bww_block<4>(dw, x, dy, g, co0, ci); break;
        case 3: bww_block<3>(dw, x, dy, g, co0, ci); break;
        case 2: bww_block<2>(dw, x, dy, g, co0, ci); break;
        default: bww_block<1>(dw, x, dy, g, co0, ci); break;
      }
    }
  });
}

void f32_conv1d_backward_bias__neon(float* db, const float* dy, const keel_conv1d_params* p) {
  const Geo g(p);
  parallel_for(g.Cout, grain_for(g.N * g.Lout * 4), [&](int64_t b, int64_t e) {
    for (int64_t co = b; co < e; co++) {
      double total = 0.0;
      for (int64_t n = 0; n < g.N; n++) {
        const float* r = dy + (n * g.Cout + co) * g.Lout;
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0;
        int64_t t = 0;
        for (; t + 8 <= g.Lout; t += 8) a0 = vaddq_f32(a0, vld1q_f32(r + t)), a1 = vaddq_f32(a1, vld1q_f32(r + t + 4));
        for (; t + 4 <= g.Lout; t += 4) a0 = vaddq_f32(a0, vld1q_f32(r + t));
        float s = vaddvq_f32(vaddq_f32(a0, a1));
        for (; t < g.Lout; t++) s += r[t];
        total += (double)s;
      }
      db[co] = (float)total;
    }
  });
}

void f32_conv1d_forward_stats__neon(float* y, double* mean, double* var, const float* x, const float* w,
                                   const float* bias, const keel_conv1d_params* p) {
  conv_stats_by_sample(f32_conv1d_forward__neon, y, mean, var, x, w, bias, p);
}

void f32_conv1d_relu_forward__neon(float* y, const float* x, const float* w, const float* bias,
                                   const keel_conv1d_params* p) {
  conv_then_relu(f32_conv1d_forward__neon, y, x, w, bias, p);
}

void register_conv1d_neon(keel_kernels* k) {
  k->conv1d_forward_stats = f32_conv1d_forward_stats__neon, k->conv1d_forward_stats_variant = "neon";
  k->conv1d_relu_forward = f32_conv1d_relu_forward__neon, k->conv1d_relu_forward_variant = "neon";
  k->conv1d_forward = f32_conv1d_forward__neon, k->conv1d_forward_variant = "neon";
  k->conv1d_backward_data = f32_conv1d_backward_data__neon, k->conv1d_backward_data_variant = "neon";
  k->conv1d_backward_weight = f32_conv1d_backward_weight__neon, k->conv1d_backward_weight_variant = "neon";
  k->conv1d_backward_bias = f32_conv1d_backward_bias__neon, k->conv1d_backward_bias_variant = "neon";
}

}  // namespace keel
