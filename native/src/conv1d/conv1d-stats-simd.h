// Conv1d forward with an epilogue on each block of output rows while it is still in L1/L2, written
// over the traits `V` of conv1d-simd.h and included right after it (inside the same anonymous
// namespace) by f32-conv1d-avx2.cc and f32-conv1d-avx512.cc. It only calls that header's entry points
// (ConvPass, conv_rows, task_blocks), so the convolution itself — its FMA chains, hence y — is
// bit for bit conv1d_forward's.
//
//   conv1d_forward_stats_simd: y = conv1d(x, w, b) and per output channel the mean and biased
//     variance of y over (N, L_out) (the BatchNorm batch statistics), merged as conv1d-stats.h says.
//     Tasks are (group, range of samples): up to kStatsRanges ranges, cut by shape (never by thread
//     count). A task computes every row block of its group for its samples in order, so each
//     sample's input is read once while hot (tasks that split the channels instead would each
//     re-read every sample's input), and merges its rows into that range's per-channel (mean, m2)
//     in n order; the ranges are then merged in order (Chan's formula with the ranges' counts). The
//     merge tree is fixed by the shape, so results are bitwise identical for any thread count. With
//     one range (N = 1, or too many channels for the stack buffer) rows merge straight into mean/var.
//   conv1d_relu_forward_simd: y = max(conv1d(x, w, b), 0) (NaN propagates), ReLU applied to each
//     block as soon as it is written; conv1d_forward's tasks (sample, group, row block).
//
// Row statistics: see row_stats_simd (a centre from a float pass, then deviations from it in float
// lanes flushed to double, corrected exactly for the centre's error).

constexpr int64_t kStatsRanges = 32;
constexpr int64_t kStatsPartMax = 4096;  // doubles (32 KB, on the calling thread's stack) of per-range partials
constexpr int64_t kStatsFlush = 64;

// max(v, 0) with v's NaN kept and -0 kept (the reference: v < 0 ? 0 : v): max_ps returns its second
// operand when either is NaN or both are zeros. dev_masked: v - m in the lanes of mask k, 0 elsewhere.
// (Overloads on the vector type: the traits V have no max/sub, and conv1d-simd.h is not ours to edit.)
#if defined(__AVX512F__)
// All-lane zero-masked forms of max/shuffle/permute: the same instructions, but GCC 12 -Wall warns
// (falsely) that the unmasked intrinsics read an uninitialised register.
static inline __m512 relu_vec(__m512 v) { return _mm512_maskz_max_ps(0xFFFF, _mm512_setzero_ps(), v); }
static inline __m512 dev_masked(__m512 v, __m512 m, __mmask16 k) { return _mm512_maskz_sub_ps(k, v, m); }
static inline __m512 mul_vec(__m512 a, __m512 b) { return _mm512_mul_ps(a, b); }
static inline float first_lane(__m512 v) { return _mm512_cvtss_f32(v); }
// The sum of v's lanes in every lane (a fixed tree, no round trip through a scalar).
static inline __m512 hsum_bcast(__m512 v) {
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xFFFF, v, v, 0x4E));
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xFFFF, v, v, 0xB1));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xFFFF, v, 0x4E));
  return _mm512_add_ps(v, _mm512_maskz_permute_ps(0xFFFF, v, 0xB1));
}
// The lane sums of a and b, reduced together (one tree for both).
static inline void hsum2(__m512 a, __m512 b, float* sa, float* sb) {
  __m512 t = _mm512_add_ps(_mm512_maskz_shuffle_f32x4(0xFFFF, a, b, 0x44), _mm512_maskz_shuffle_f32x4(0xFFFF, a, b, 0xEE));  // [a 8 | b 8]
  t = _mm512_add_ps(t, _mm512_maskz_shuffle_f32x4(0xFFFF, t, t, 0xB1));
  t = _mm512_add_ps(t, _mm512_maskz_permute_ps(0xFFFF, t, 0x4E));
  t = _mm512_add_ps(t, _mm512_maskz_permute_ps(0xFFFF, t, 0xB1));
  *sa = _mm512_cvtss_f32(t);
  *sb = _mm_cvtss_f32(_mm512_maskz_extractf32x4_ps(0xF, t, 2));
}
#endif
static inline __m256 relu_vec(__m256 v) { return _mm256_max_ps(_mm256_setzero_ps(), v); }
static inline __m256 dev_masked(__m256 v, __m256 m, __m256i k) {
  return _mm256_and_ps(_mm256_sub_ps(v, m), _mm256_castsi256_ps(k));
}
static inline __m256 mul_vec(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
static inline float first_lane(__m256 v) { return _mm256_cvtss_f32(v); }
static inline __m256 hsum_bcast(__m256 v) {
  v = _mm256_add_ps(v, _mm256_permute2f128_ps(v, v, 0x01));
  v = _mm256_add_ps(v, _mm256_permute_ps(v, 0x4E));
  return _mm256_add_ps(v, _mm256_permute_ps(v, 0xB1));
}
static inline void hsum2(__m256 a, __m256 b, float* sa, float* sb) {
  __m256 t = _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));  // [a 4 | b 4]
  t = _mm256_add_ps(t, _mm256_permute_ps(t, 0x4E));
  t = _mm256_add_ps(t, _mm256_permute_ps(t, 0xB1));
  *sa = _mm256_cvtss_f32(t);
  *sb = _mm_cvtss_f32(_mm256_extractf128_ps(t, 1));
}

// The moments of one row of T values (T >= 1) about its own approximate mean. Pass 1 only finds a
// centre c = float(sum/T) (in float lanes: its error does not matter, pass 2 corrects for it exactly).
// Pass 2 sums e = y - c and e^2 in float lanes, flushed to double every kStatsFlush vectors; then
// (merge_block_rows)
//   mean = c + d/T,   m2 = q - d^2/T     (d = sum e, q = sum e^2: the shift identity, exact)
// where the deviations are small wherever the variance is, so no cancellation. Two accumulator
// chains per sum (the adds' latency, not the loads, bounds a hot row); the partial vector at the
// end is a masked load.
static void row_moments_simd(const float* r, int64_t T, float inv_t, double* centre, double* sum_e, double* sum_e2) {
  using vec = typename V::vec;
  const int64_t W = V::W, nv = T / W, rem = T - nv * W;
  const typename V::mask tail = V::mask_range(0, (int)rem);
  vec cv;
  {
    vec a0 = V::zero(), a1 = V::zero();
    int64_t v = 0;
    for (; v + 2 <= nv; v += 2) a0 = V::add(a0, V::loadu(r + v * W)), a1 = V::add(a1, V::loadu(r + (v + 1) * W));
    if (v < nv) a0 = V::add(a0, V::loadu(r + v * W));
    if (rem) a1 = V::add(a1, V::loadu_mask(r + nv * W, tail));
    cv = mul_vec(hsum_bcast(V::add(a0, a1)), V::set1(inv_t));
  }
  const vec neg = mul_vec(cv, V::set1(-1.0f));
  double q = 0.0, d = 0.0;
  {
    vec q0 = V::zero(), q1 = V::zero(), d0 = V::zero(), d1 = V::zero();
    int64_t v = 0, run = 0;
    float qs, ds;
    for (; v + 2 <= nv; v += 2) {
      const vec e0 = V::add(V::loadu(r + v * W), neg), e1 = V::add(V::loadu(r + (v + 1) * W), neg);
      q0 = V::fma(e0, e0, q0), q1 = V::fma(e1, e1, q1);
      d0 = V::add(d0, e0), d1 = V::add(d1, e1);
      if ((run += 2) >= kStatsFlush) {
        hsum2(V::add(q0, q1), V::add(d0, d1), &qs, &ds);
        q += (double)qs, d += (double)ds;
        q0 = q1 = d0 = d1 = V::zero(), run = 0;
      }
    }
    if (v < nv) {
      const vec e = V::add(V::loadu(r + v * W), neg);
      q0 = V::fma(e, e, q0), d0 = V::add(d0, e);
    }
    if (rem) {
      const vec e = dev_masked(V::loadu_mask(r + nv * W, tail), cv, tail);
      q1 = V::fma(e, e, q1), d1 = V::add(d1, e);
    }
    hsum2(V::add(q0, q1), V::add(d0, d1), &qs, &ds);
    q += (double)qs, d += (double)ds;
  }
  *centre = (double)first_lane(cv);  // not a masked store + load: that defeats store forwarding
  *sum_e = d;
  *sum_e2 = q;
}

// Rows m < mr of one block (sample n, channels co0..): their (centre, d, q) turned into mean and m2
// and merged into the channels' statistics — in double, over arrays, after the SIMD part of every
// row (independent rows: this loop pipelines instead of waiting on each row's reductions).
static void merge_block_rows(double* mean, double* m2, int mr, int64_t n, int64_t T, const double* c, const double* d,
                             const double* q) {
  const ChanStep k = chan_step(n, T);
  for (int m = 0; m < mr; m++) {
    const double e = d[m] / (double)T, s2 = q[m] - d[m] * e;
    merge_row_stats(mean + m, m2 + m, n, k, c[m] + e, s2 > 0.0 ? s2 : 0.0);
  }
}

static void conv1d_forward_stats_simd(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_conv1d_params* p) {
  const int64_t N = p->batch, K = p->kernel_size, Lout = keel_conv1d_out_length(p), C = p->out_channels;
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = C / G;
  if (N == 0 || Lout == 0 || C == 0) return finish_stats(mean, var, C, N, Lout);
  int64_t off[KMAX];
  for (int64_t j = 0; j < K; j++) off[j] = j * p->dilation - p->pad_left;
  const RowBlocks rb = task_blocks(cout_g);
  // Sample ranges: R by shape (never by thread count), each range's (mean, m2) per channel in part
  // (on this stack: kernels do not allocate); one range writes straight into mean/var.
  double part[kStatsPartMax];
  int64_t R = N < kStatsRanges ? N : kStatsRanges;
  if (R * 2 * C > kStatsPartMax) R = kStatsPartMax / (2 * C) > 1 ? kStatsPartMax / (2 * C) : 1;
  const float inv_t = 1.0f / (float)Lout;
  parallel_for(G * R, 1, [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t g = task / R, r = task % R, n0 = r * N / R, n1 = (r + 1) * N / R;
      double* pm = R == 1 ? mean : part + r * 2 * C;
      double* p2 = R == 1 ? var : part + r * 2 * C + C;
      for (int64_t n = n0; n < n1; n++) {
        if (n + 1 < n1) {
          prefetch_span(x + ((n + 1) * p->in_channels + g * cin_g) * p->in_length, cin_g * p->in_length);
          prefetch_span_w(y + ((n + 1) * C + g * cout_g) * Lout, cout_g * Lout);
        }
        const ConvPass cp = forward_pass(x, p, off, n, g);
        for (int64_t blk = 0; blk < rb.count; blk++) {
          const int64_t co0 = g * cout_g + rb.start(blk);
          float* out = y + (n * C + co0) * Lout;
          const int mr = rb.size(blk);
          conv_rows(out, Lout, mr, cp, w + co0 * cin_g * K, bias ? bias + co0 : nullptr);
          double c[kTaskRows], d[kTaskRows], q[kTaskRows];
          for (int m = 0; m < mr; m++) row_moments_simd(out + m * Lout, Lout, inv_t, c + m, d + m, q + m);
          merge_block_rows(pm + co0, p2 + co0, mr, n - n0, Lout, c, d, q);
        }
      }
    }
  });
  if (R > 1) {
    // Ranges merged in order, Chan's formula with their counts a (merged so far) and b = rows*T.
    for (int64_t c = 0; c < C; c++) {
      double m = part[c], m2 = part[C + c], a = (double)(N / R) * (double)Lout;
      for (int64_t r = 1; r < R; r++) {
        const double b = (double)((r + 1) * N / R - r * N / R) * (double)Lout, delta = part[r * 2 * C + c] - m;
        m += delta * (b / (a + b));
        m2 += part[r * 2 * C + C + c] + delta * delta * (a * b / (a + b));
        a += b;
      }
      mean[c] = m, var[c] = m2;
    }
  }
  finish_stats(mean, var, C, N, Lout);
}

static void conv1d_relu_forward_simd(float* y, const float* x, const float* w, const float* bias,
                                     const keel_conv1d_params* p) {
  const int64_t N = p->batch, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  if (N == 0 || Lout == 0 || p->out_channels == 0) return;
  int64_t off[KMAX];
  for (int64_t j = 0; j < K; j++) off[j] = j * p->dilation - p->pad_left;
  const RowBlocks rb = task_blocks(cout_g);
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
