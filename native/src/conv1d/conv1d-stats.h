// Per-channel statistics of a convolution's output, gathered while it is written (the BatchNorm
// statistics of a Conv1d -> BatchNorm1d block without a separate pass over y): the scalar and NEON
// levels' scheme, and the merge steps and final division every ISA shares. (The x86 SIMD levels
// gather theirs per range of samples about one centre per channel: conv1d-stats-simd.h.)
//
// Every output row (sample n, channel c) has the same length T = L_out. Per row: its sum and the sum
// of squared deviations about the row's OWN mean (two passes over a row that is still in L1; never
// E[y^2] - E[y]^2). Rows are merged into the channel's (mean, m2) in ascending n with Chan et al.'s
// parallel formula in double; with n rows already merged (count a = n*T) and the new row b = T:
//   delta = mean_b - mean_a,  mean = mean_a + delta*b/(a+b),  m2 = m2_a + m2_b + delta^2*a*b/(a+b)
// and finally var = m2 / (N*T) (biased, as BatchNorm normalises with). The merge order is fixed by
// the shape, so results are bitwise identical for any thread count. The mean/var output arrays hold
// the running (mean, m2) while rows are merged: no workspace.
#ifndef KEEL_CONV1D_STATS_H_
#define KEEL_CONV1D_STATS_H_

#include <stdint.h>

#include "keel.h"

namespace keel {

// The weights of merging the (n+1)-th row of length T (a = n*T values merged, b = T): b/(a+b) and
// a*b/(a+b), computed once per sample for all its rows.
struct ChanStep {
  double wb, wab;
};
inline ChanStep chan_step(int64_t n, int64_t T) {
  const double a = (double)n * (double)T, b = (double)T;
  return ChanStep{b / (a + b), a * b / (a + b)};
}

// Merges row statistics (row_mean, row_m2) of the (n+1)-th row into (mean, m2) of n rows.
inline void merge_row_stats(double* mean, double* m2, int64_t n, const ChanStep& k, double row_mean, double row_m2) {
  if (n == 0) {
    *mean = row_mean;
    *m2 = row_m2;
    return;
  }
  const double delta = row_mean - *mean;
  *mean += delta * k.wb;
  *m2 += row_m2 + delta * delta * k.wab;
}

// Row mean and m2 in double, two passes (the scalar and NEON row statistics).
inline void row_stats_scalar(const float* r, int64_t T, double* mean, double* m2) {
  double s = 0.0;
  for (int64_t t = 0; t < T; t++) s += (double)r[t];
  const double m = s / (double)T;
  double q = 0.0;
  for (int64_t t = 0; t < T; t++) {
    const double d = (double)r[t] - m;
    q += d * d;
  }
  *mean = m;
  *m2 = q;
}

// var[c] = m2[c] / (N*T) for every channel, once all rows are merged; 0 for an empty channel.
inline void finish_stats(double* mean, double* var, int64_t C, int64_t N, int64_t T) {
  const double M = (double)N * (double)T;
  for (int64_t c = 0; c < C; c++) {
    if (M == 0.0) mean[c] = 0.0, var[c] = 0.0;
    else var[c] = var[c] / M;
  }
}

// Scalar and NEON: the level's own conv1d_forward one sample at a time, then that sample's rows,
// still in cache, merged into the statistics (the order of src/ref/conv1d-epilogue.ts, whose
// double row statistics these are: the scalar level is bitwise the reference).
template <typename Forward>
inline void conv_stats_by_sample(Forward forward, float* y, double* mean, double* var, const float* x, const float* w,
                                 const float* bias, const keel_conv1d_params* p) {
  const int64_t N = p->batch, C = p->out_channels, T = keel_conv1d_out_length(p);
  keel_conv1d_params one = *p;
  one.batch = 1;
  for (int64_t n = 0; n < N && T > 0; n++) {
    float* yn = y + n * C * T;
    forward(yn, x + n * p->in_channels * p->in_length, w, bias, &one);
    const ChanStep k = chan_step(n, T);
    for (int64_t c = 0; c < C; c++) {
      double rm, r2;
      row_stats_scalar(yn + c * T, T, &rm, &r2);
      merge_row_stats(mean + c, var + c, n, k, rm, r2);
    }
  }
  finish_stats(mean, var, C, N, T);
}

// Scalar and NEON: the level's conv1d_forward, then ReLU (v < 0 ? 0 : v, NaN kept) over y.
template <typename Forward>
inline void conv_then_relu(Forward forward, float* y, const float* x, const float* w, const float* bias,
                           const keel_conv1d_params* p) {
  forward(y, x, w, bias, p);
  const int64_t count = p->batch * p->out_channels * keel_conv1d_out_length(p);
  for (int64_t i = 0; i < count; i++) y[i] = y[i] < 0.0f ? 0.0f : y[i];
}

}  // namespace keel

#endif  // KEEL_CONV1D_STATS_H_
