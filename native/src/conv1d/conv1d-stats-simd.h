// Conv1d forward with an epilogue on each block of output rows while it is still in L1/L2, written
// over the traits `V` of conv1d-simd.h and included right after it (inside the same anonymous
// namespace) by f32-conv1d-avx2.cc and f32-conv1d-avx512.cc. It only calls that header's entry points
// (ConvPass, conv_rows, row_blocks, nr_for), so the convolution itself — its FMA chains, hence y — is
// bit for bit conv1d_forward's.
//
//   conv1d_forward_stats_simd: y = conv1d(x, w, b) and per output channel the mean and biased
//     variance of y over (N, L_out) (the BatchNorm batch statistics), merged as conv1d-stats.h says.
//     Tasks are (group, chunk of row blocks) — by shape — and loop over samples n in order inside
//     the task, so each task owns whole channels: no cross-task reduction, bitwise identical for any
//     thread count. A chunk holds up to kStatsBlocksPerTask row blocks: each task re-reads every
//     sample's input once, so fewer, larger tasks read less (the input of a sample stays in L1/L2
//     while its blocks are computed).
//   conv1d_relu_forward_simd: y = max(conv1d(x, w, b), 0) (NaN propagates), ReLU applied to each
//     block as soon as it is written; conv1d_forward's tasks (sample, group, row block).
//
// Row statistics: sums in V::W float lanes flushed to double every kStatsFlush vectors (so a lane
// adds at most kStatsFlush values in float), the row mean m in double, then the squared deviations
// about mf = float(m) in lanes, corrected for mf != m exactly: sum (y - m)^2 = sum (y - mf)^2 - d^2/T
// with d = sum (y - mf). Tails (< W values) in double.

constexpr int64_t kStatsBlocksPerTask = 3;
constexpr int64_t kStatsFlush = 64;

// max(v, 0) with v's NaN kept and -0 kept (the reference: v < 0 ? 0 : v): max_ps returns its second
// operand when either is NaN or both are zeros.
#if defined(__AVX512F__)
static inline __m512 relu_vec(__m512 v) { return _mm512_max_ps(_mm512_setzero_ps(), v); }
#endif
static inline __m256 relu_vec(__m256 v) { return _mm256_max_ps(_mm256_setzero_ps(), v); }

static void row_stats_simd(const float* r, int64_t T, double* mean, double* m2) {
  const int64_t W = V::W, body = T - T % W;
  double s = 0.0;
  for (int64_t i = 0; i < body;) {
    typename V::vec acc = V::zero();
    const int64_t end = i + kStatsFlush * W < body ? i + kStatsFlush * W : body;
    for (; i < end; i += W) acc = V::add(acc, V::loadu(r + i));
    s += (double)V::hsum(acc);
  }
  for (int64_t i = body; i < T; i++) s += (double)r[i];
  const double m = s / (double)T;
  const float mf = (float)m;
  const typename V::vec neg = V::set1(-mf);
  double q = 0.0, d = 0.0;
  for (int64_t i = 0; i < body;) {
    typename V::vec aq = V::zero(), ad = V::zero();
    const int64_t end = i + kStatsFlush * W < body ? i + kStatsFlush * W : body;
    for (; i < end; i += W) {
      const typename V::vec dv = V::add(V::loadu(r + i), neg);
      aq = V::fma(dv, dv, aq);
      ad = V::add(ad, dv);
    }
    q += (double)V::hsum(aq);
    d += (double)V::hsum(ad);
  }
  for (int64_t i = body; i < T; i++) {
    const double dv = (double)r[i] - (double)mf;
    q += dv * dv;
    d += dv;
  }
  const double c = q - d * d / (double)T;
  *mean = m;
  *m2 = c > 0.0 ? c : 0.0;
}

// The ConvPass of conv1d_forward for sample n, group g (as conv1d_forward_simd builds it).
static ConvPass forward_pass(const float* x, const keel_conv1d_params* p, const int64_t* off, int64_t n, int64_t g) {
  const int64_t L = p->in_length, cin_g = p->in_channels / p->groups, K = p->kernel_size;
  ConvPass cp;
  cp.in = x + (n * p->in_channels + g * cin_g) * L;
  cp.in_rs = L;
  cp.in_len = L;
  cp.C = cin_g;
  cp.K = K;
  cp.w_ms = cin_g * K;
  cp.w_cs = K;
  cp.w_js = 1;
  cp.off = off;
  cp.stride = p->stride;
  cp.transposed = 0;
  cp.out_len = keel_conv1d_out_length(p);
  return cp;
}

static void conv1d_forward_stats_simd(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_conv1d_params* p) {
  const int64_t N = p->batch, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  if (N == 0 || Lout == 0 || p->out_channels == 0) return finish_stats(mean, var, p->out_channels, N, Lout);
  int64_t off[KMAX];
  for (int64_t j = 0; j < K; j++) off[j] = j * p->dilation - p->pad_left;
  const RowBlocks rb = row_blocks(cout_g, nr_for(Lout));
  const int64_t chunks = (rb.count + kStatsBlocksPerTask - 1) / kStatsBlocksPerTask;
  parallel_for(G * chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t g = task / chunks, k = task % chunks;
      const int64_t blk0 = k * kStatsBlocksPerTask;
      const int64_t blk1 = blk0 + kStatsBlocksPerTask < rb.count ? blk0 + kStatsBlocksPerTask : rb.count;
      for (int64_t n = 0; n < N; n++) {
        const ConvPass cp = forward_pass(x, p, off, n, g);
        for (int64_t blk = blk0; blk < blk1; blk++) {
          const int64_t co0 = g * cout_g + rb.start(blk);
          float* out = y + (n * p->out_channels + co0) * Lout;
          const int mr = rb.size(blk);
          conv_rows(out, Lout, mr, cp, w + co0 * cin_g * K, bias ? bias + co0 : nullptr);
          for (int m = 0; m < mr; m++) {
            double rm, r2;
            row_stats_simd(out + m * Lout, Lout, &rm, &r2);
            merge_row_stats(mean + co0 + m, var + co0 + m, n, Lout, rm, r2);
          }
        }
      }
    }
  });
  finish_stats(mean, var, p->out_channels, N, Lout);
}

static void conv1d_relu_forward_simd(float* y, const float* x, const float* w, const float* bias,
                                     const keel_conv1d_params* p) {
  const int64_t N = p->batch, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  if (N == 0 || Lout == 0 || p->out_channels == 0) return;
  int64_t off[KMAX];
  for (int64_t j = 0; j < K; j++) off[j] = j * p->dilation - p->pad_left;
  const RowBlocks rb = row_blocks(cout_g, nr_for(Lout));
  const double tflops = 2.0 * (double)(cout_g / (rb.count ? rb.count : 1) + 1) * cin_g * K * Lout;
  parallel_for(N * G * rb.count, grain_for_flops(tflops), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t blk = task % rb.count, ng = task / rb.count, g = ng % G, n = ng / G;
      const int64_t co0 = g * cout_g + rb.start(blk);
      float* out = y + (n * p->out_channels + co0) * Lout;
      const int mr = rb.size(blk);
      conv_rows(out, Lout, mr, forward_pass(x, p, off, n, g), w + co0 * cin_g * K, bias ? bias + co0 : nullptr);
      // The block's rows are contiguous (row stride Lout): one ReLU sweep over mr*Lout values.
      const int64_t count = (int64_t)mr * Lout, body = count - count % V::W;
      for (int64_t i = 0; i < body; i += V::W) V::storeu(out + i, relu_vec(V::loadu(out + i)));
      for (int64_t i = body; i < count; i++) out[i] = out[i] < 0.0f ? 0.0f : out[i];
    }
  });
}
