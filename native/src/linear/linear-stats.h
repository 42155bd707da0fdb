// BatchNorm's batch statistics of a Linear's output y (N, O), per column o (a BatchNorm1d channel):
//   mean[o] = (sum over n = 0, 1, ... of y[n, o]) / N                 sums in double, rows in order
//   var[o]  = (sum over n of (y[n, o] - mean[o])^2) / N               the biased variance, no FMA
// (0 and 0 when N = 0): BatchNorm's two-pass statistics exactly as src/ref/batchnorm1d.ts's
// channelStatistics and the fused (N, C) forward compute them, so a fused block given these computes
// what it would have computed itself, bit for bit. Each column's sums run over its rows in order and
// the loops vectorise across columns only, so the result is the same at every CPU level and for any
// split of the columns between threads; -ffp-contract=off keeps the multiply and add separate.
//
// NOT a normal header, like linear-gemm-impl.h: every linear variant file includes it INSIDE its
// anonymous namespace (after parallel.h), so each ISA's vectorised copy keeps internal linkage and the
// linker cannot hand the AVX-512 copy to the scalar path. It includes nothing itself.

// Columns [0, cols) of y (rows x cols, row stride ldy): mean and var of each, as the header says.
// Called on a just-written panel of the GEMM's output, while it is in cache.
inline void column_moments(const float* y, int64_t ldy, int64_t rows, int64_t cols, double* mean, double* var) {
  constexpr int64_t kCols = 32;  // a panel's columns at a time: the sums stay in registers
  for (int64_t c0 = 0; c0 < cols; c0 += kCols) {
    const int64_t w = cols - c0 < kCols ? cols - c0 : kCols;
    double s[kCols] = {}, q[kCols] = {};
    for (int64_t n = 0; n < rows; n++)
      for (int64_t j = 0; j < w; j++) s[j] += (double)y[n * ldy + c0 + j];
    const double M = (double)rows;
    for (int64_t j = 0; j < w; j++) s[j] = rows == 0 ? 0.0 : s[j] / M;
    for (int64_t n = 0; n < rows; n++)
      for (int64_t j = 0; j < w; j++) {
        const double d = (double)y[n * ldy + c0 + j] - s[j];
        q[j] += d * d;
      }
    for (int64_t j = 0; j < w; j++) mean[c0 + j] = s[j], var[c0 + j] = rows == 0 ? 0.0 : q[j] / M;
  }
}

// The statistics of all O columns of y (N rows, row stride ldy) as a pass of its own, 32 columns a task.
inline void all_column_moments(const float* y, int64_t ldy, int64_t N, int64_t O, double* mean, double* var) {
  parallel_for((O + 31) / 32, grain_for(N * 32 * 2 * (int64_t)sizeof(float)), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t c0 = b * 32;
      column_moments(y + c0, ldy, N, O - c0 < 32 ? O - c0 : 32, mean + c0, var + c0);
    }
  });
}
