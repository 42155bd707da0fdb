// Linear, NEON (arm64): register-blocked float32 GEMMs with explicit FMAs (vfmaq_f32 /
// vfmaq_laneq_f32) and scalar tails. Each output element is computed start to finish by one task
// in an order fixed by the shape, so results are bitwise identical for any thread count.
//   forward       y[n, o]  = sum_i x[n, i] w[o, i] + b[o]   4x4 (n, o) blocks of dot products along i
//   backward data dx[n, i] = sum_o dy[n, o] w[o, i]         4 rows n x 16 columns i, rank-1 updates over o
//   backward wt.  dw[o, i] = sum_n dy[n, o] x[n, i]         4 rows o x 16 columns i, rank-1 updates over n
//   backward bias db[o]    = sum_n dy[n, o]                 4 columns o per vector, double accumulators
// Accumulation is float32 (FMA) except the bias gradient's, which is double.
#include <arm_neon.h>
#include <math.h>

#include "keel.h"
#include "linear.h"
#include "parallel.h"

namespace keel {
namespace {

// y[n0..n0+RN, o0..o0+RO] as dot products over i.
template <int RN, int RO>
inline void dot_block(float* y, const float* x, const float* w, const float* bias, int64_t I, int64_t O,
                      int64_t n0, int64_t o0) {
  float32x4_t acc[RN][RO];
  for (int a = 0; a < RN; a++)
    for (int b = 0; b < RO; b++) acc[a][b] = vdupq_n_f32(0.0f);
  int64_t i = 0;
  for (; i + 4 <= I; i += 4) {
    float32x4_t xv[RN], wv[RO];
    for (int a = 0; a < RN; a++) xv[a] = vld1q_f32(x + (n0 + a) * I + i);
    for (int b = 0; b < RO; b++) wv[b] = vld1q_f32(w + (o0 + b) * I + i);
    for (int a = 0; a < RN; a++)
      for (int b = 0; b < RO; b++) acc[a][b] = vfmaq_f32(acc[a][b], xv[a], wv[b]);
  }
  for (int a = 0; a < RN; a++) {
    for (int b = 0; b < RO; b++) {
      float s = vaddvq_f32(acc[a][b]);
      for (int64_t t = i; t < I; t++) s = fmaf(x[(n0 + a) * I + t], w[(o0 + b) * I + t], s);
      if (bias) s += bias[o0 + b];
      y[(n0 + a) * O + o0 + b] = s;
    }
  }
}

template <int RN>
inline void dot_row(float* y, const float* x, const float* w, const float* bias, int64_t I, int64_t O, int64_t n0) {
  int64_t o = 0;
  for (; o + 4 <= O; o += 4) dot_block<RN, 4>(y, x, w, bias, I, O, n0, o);
  for (; o < O; o++) dot_block<RN, 1>(y, x, w, bias, I, O, n0, o);
}

// out[r0..r0+R, c0..c0+16 or tail] = sum_k a[(r0+r) * as + k * ak] * B[k, c0 + ...], B rows at stride ldb:
// rank-1 updates over k in order. Used by both backward GEMMs (dx = dy W, dw = dy^T x).
template <int R>
inline void rank1_block(float* out, int64_t ldo, const float* a, int64_t a_row, int64_t a_k, const float* B,
                        int64_t ldb, int64_t K, int64_t r0, int64_t c0, int64_t cols) {
  if (cols == 16) {
    float32x4_t acc[R][4];
    for (int r = 0; r < R; r++)
      for (int v = 0; v < 4; v++) acc[r][v] = vdupq_n_f32(0.0f);
    for (int64_t k = 0; k < K; k++) {
      const float* b = B + k * ldb + c0;
      const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
      for (int r = 0; r < R; r++) {
        const float s = a[(r0 + r) * a_row + k * a_k];
        acc[r][0] = vfmaq_n_f32(acc[r][0], b0, s);
        acc[r][1] = vfmaq_n_f32(acc[r][1], b1, s);
        acc[r][2] = vfmaq_n_f32(acc[r][2], b2, s);
        acc[r][3] = vfmaq_n_f32(acc[r][3], b3, s);
      }
    }
    for (int r = 0; r < R; r++)
      for (int v = 0; v < 4; v++) vst1q_f32(out + (r0 + r) * ldo + c0 + 4 * v, acc[r][v]);
    return;
  }
  // Column tail (< 16): 4-wide vectors then single columns, same order over k.
  int64_t c = 0;
  for (; c + 4 <= cols; c += 4) {
    float32x4_t acc[R];
    for (int r = 0; r < R; r++) acc[r] = vdupq_n_f32(0.0f);
    for (int64_t k = 0; k < K; k++) {
      const float32x4_t bv = vld1q_f32(B + k * ldb + c0 + c);
      for (int r = 0; r < R; r++) acc[r] = vfmaq_n_f32(acc[r], bv, a[(r0 + r) * a_row + k * a_k]);
    }
    for (int r = 0; r < R; r++) vst1q_f32(out + (r0 + r) * ldo + c0 + c, acc[r]);
  }
  for (; c < cols; c++) {
    float acc[R];
    for (int r = 0; r < R; r++) acc[r] = 0.0f;
    for (int64_t k = 0; k < K; k++) {
      const float bv = B[k * ldb + c0 + c];
      for (int r = 0; r < R; r++) acc[r] = fmaf(a[(r0 + r) * a_row + k * a_k], bv, acc[r]);
    }
    for (int r = 0; r < R; r++) out[(r0 + r) * ldo + c0 + c] = acc[r];
  }
}

// out (rows x cols, leading dim cols) = A (rows x K, element (r, k) at a[r * a_row + k * a_k]) * B (K x cols).
// Tasks are blocks of 4 rows (shape only); each walks all columns in blocks of 16.
void rank1_gemm(float* out, const float* a, int64_t a_row, int64_t a_k, const float* B, int64_t rows, int64_t cols,
                int64_t K) {
  const int64_t row_blocks = (rows + 3) / 4;
  parallel_for(row_blocks, grain_for(4 * (cols + K) * 4 + 4 * K * cols * 2), [&](int64_t b0, int64_t b1) {
    for (int64_t rb = b0; rb < b1; rb++) {
      const int64_t r0 = rb * 4, nr = rows - r0 < 4 ? rows - r0 : 4;
      for (int64_t c0 = 0; c0 < cols; c0 += 16) {
        const int64_t nc = cols - c0 < 16 ? cols - c0 : 16;
        switch (nr) {
          case 4: rank1_block<4>(out, cols, a, a_row, a_k, B, cols, K, r0, c0, nc); break;
          case 3: rank1_block<3>(out, cols, a, a_row, a_k, B, cols, K, r0, c0, nc); break;
          case 2: rank1_block<2>(out, cols, a, a_row, a_k, B, cols, K, r0, c0, nc); break;
          default: rank1_block<1>(out, cols, a, a_row, a_k, B, cols, K, r0, c0, nc); break;
        }
      }
    }
  });
}

#include "linear-stats.h"

}  // namespace

void f32_linear_forward__neon(float* y, const float* x, const float* w, const float* bias, const keel_linear_params* p) {
  const int64_t N = p->batch, I = p->in_features, O = p->out_features;
  const int64_t row_blocks = (N + 3) / 4;
  parallel_for(row_blocks, grain_for(4 * I * O * 2), [&](int64_t b0, int64_t b1) {
    for (int64_t rb = b0; rb < b1; rb++) {
      const int64_t n0 = rb * 4;
      switch (N - n0 < 4 ? N - n0 : 4) {
        case 4: dot_row<4>(y, x, w, bias, I, O, n0); break;
        case 3: dot_row<3>(y, x, w, bias, I, O, n0); break;
        case 2: dot_row<2>(y, x, w, bias, I, O, n0); break;
        default: dot_row<1>(y, x, w, bias, I, O, n0); break;
      }
    }
  });
}

// The forward, then BatchNorm's batch statistics of y in a pass of their own (linear-stats.h).
void f32_linear_forward_stats__neon(float* y, double* mean, double* var, const float* x, const float* w,
                                    const float* bias, const keel_linear_params* p) {
  f32_linear_forward__neon(y, x, w, bias, p);
  all_column_moments(y, p->out_features, p->batch, p->out_features, mean, var);
}

// dx (N x I) = dy (N x O) * W (O x I)
void f32_linear_backward_data__neon(float* dx, const float* dy, const float* w, const keel_linear_params* p) {
  rank1_gemm(dx, dy, p->out_features, 1, w, p->batch, p->in_features, p->out_features);
}

// dw (O x I) = dy^T (O x N) * x (N x I); dy^T's element (o, n) is dy[n * O + o]
void f32_linear_backward_weight__neon(float* dw, const float* x, const float* dy, const keel_linear_params* p) {
  rank1_gemm(dw, dy, 1, p->out_features, x, p->out_features, p->in_features, p->batch);
}

void f32_linear_backward_bias__neon(float* db, const float* dy, const keel_linear_params* p) {
  const int64_t N = p->batch, O = p->out_features;
  const int64_t blocks = (O + 15) / 16;
  parallel_for(blocks, grain_for(N * 64), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t o0 = b * 16, o1 = o0 + 16 < O ? o0 + 16 : O;
      int64_t o = o0;
      for (; o + 4 <= o1; o += 4) {
        float64x2_t lo = vdupq_n_f64(0.0), hi = vdupq_n_f64(0.0);
        for (int64_t n = 0; n < N; n++) {
          const float32x4_t v = vld1q_f32(dy + n * O + o);
          lo = vaddq_f64(lo, vcvt_f64_f32(vget_low_f32(v)));
          hi = vaddq_f64(hi, vcvt_high_f64_f32(v));
        }
        vst1q_f32(db + o, vcombine_f32(vcvt_f32_f64(lo), vcvt_f32_f64(hi)));
      }
      for (; o < o1; o++) {
        double acc = 0.0;
        for (int64_t n = 0; n < N; n++) acc += (double)dy[n * O + o];
        db[o] = (float)acc;
      }
    }
  });
}

void register_linear_neon(keel_kernels* k) {
  k->linear_forward = f32_linear_forward__neon, k->linear_forward_variant = "neon";
  k->linear_forward_stats = f32_linear_forward_stats__neon, k->linear_forward_stats_variant = "neon";
  k->linear_backward_data = f32_linear_backward_data__neon, k->linear_backward_data_variant = "neon";
  k->linear_backward_weight = f32_linear_backward_weight__neon, k->linear_backward_weight_variant = "neon";
  k->linear_backward_bias = f32_linear_backward_bias__neon, k->linear_backward_bias_variant = "neon";
}

}  // namespace keel
