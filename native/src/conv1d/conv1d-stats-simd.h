// Conv1d forward with an epilogue on each block of output rows while it is still in L1/L2, written
// over the traits `V` of conv1d-simd.h and included right after it (inside the same anonymous
// namespace) by f32-conv1d-avx2.cc and f32-conv1d-avx512.cc. It only calls that header's entry points
// (ConvPass, conv_rows, task_blocks), so the convolution itself — its FMA chains, hence y — is
// bit for bit conv1d_forward's.
//
//   conv1d_forward_stats_simd: y = conv1d(x, w, b) and per output channel the mean and biased
//     variance of y over (N, L_out) (the BatchNorm batch statistics). Tasks are (group, range of
//     samples): up to kStatsRanges ranges, cut by shape (never by thread count). A task computes
//     every row block of its group for its samples in order, so each sample's input is read once
//     while hot (tasks that split the channels instead would each re-read every sample's input). Per
//     channel, a task takes the centre c of the channel's row in its first sample, sums e = y - c and
//     e^2 over the range's rows (row_deviation_sums_simd), and turns them into the range's mean and m2
//     (the shift identity, exact). The ranges are then merged in order (Chan's formula with the
//     ranges' counts), and with one range (N = 1, or too many channels for the stack buffer) the
//     task writes straight into mean/var. The merge tree is fixed by the shape, so results are bitwise
//     identical for any thread count.
//   conv1d_relu_forward_simd: y = max(conv1d(x, w, b), 0) (NaN propagates), ReLU applied to each
//     block as soon as it is written; conv1d_forward's tasks (sample, group, row block).
//
// Why one centre per channel and range rather than the rows' own (each row's moments, merged row by
// row with Chan's formula): that took a second pass over every row, a division and a merge per row.
// The statistics then added 17% to the forward of the backbone's 64-channel layers and 40% to its
// 14-channel first layer (Intel Xeon, hot data); one pass took 2% and 10% off those kernels and 4.6%
// off this kernel's time in the backbone's training step (npm run bench:ab). A range's rows lie close
// to its first row's centre unless a few samples are far from the rest, and then those dominate the
// variance: the cancellation in m2 = q - d^2/n stays within a few digits of double.

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

// The centre of one row of T values (T >= 1): float(sum / T) in float lanes, as a broadcast vector.
// Its error does not matter: the shift identity in conv1d_forward_stats_simd corrects for it exactly.
static typename V::vec row_centre_simd(const float* r, int64_t T, float inv_t) {
  using vec = typename V::vec;
  const int64_t W = V::W, nv = T / W, rem = T - nv * W;
  vec a0 = V::zero(), a1 = V::zero();
  int64_t v = 0;
  for (; v + 2 <= nv; v += 2) a0 = V::add(a0, V::loadu(r + v * W)), a1 = V::add(a1, V::loadu(r + (v + 1) * W));
  if (v < nv) a0 = V::add(a0, V::loadu(r + v * W));
  if (rem) a1 = V::add(a1, V::loadu_mask(r + nv * W, V::mask_range(0, (int)rem)));
  return mul_vec(hsum_bcast(V::add(a0, a1)), V::set1(inv_t));
}

// The sums over one row of e = y - c and e^2 (c: cv's lanes), in float lanes flushed to double every
// kStatsFlush vectors, added to *sum_e and *sum_e2. Two accumulator chains per sum (the adds'
// latency, not the loads, bounds a hot row); the partial vector at the end is a masked load.
// The statistics still cost 14-19% of the backbone's 64-channel forward and 55% of its 14-channel one
// (Intel Xeon, hot data, 2 threads). Keeping the sums in vector lanes across the range's rows (one
// horizontal sum per channel and range instead of per row) took that to 15-17% and 35-47%, but the
// kernel in the training step ran 0.960, 0.975 and 1.006 (bench:ab): no gain beyond the noise, so the
// per-row sums stay. Summing a sample's rows only after all its blocks are written (so no load waits
// on a masked store) changed nothing either.
static void row_deviation_sums_simd(const float* r, int64_t T, typename V::vec cv, double* sum_e, double* sum_e2) {
  using vec = typename V::vec;
  const int64_t W = V::W, nv = T / W, rem = T - nv * W;
  const typename V::mask tail = V::mask_range(0, (int)rem);
  const vec neg = mul_vec(cv, V::set1(-1.0f));
  double q = 0.0, d = 0.0;
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
  *sum_e += d + (double)ds;
  *sum_e2 += q + (double)qs;
}

// Channels whose centres and sums a task keeps on its stack at once (20 KB); a group with more is
// taken in chunks of this many channels, each a pass over the task's samples.
constexpr int64_t kStatsChannels = 1024;

static void conv1d_forward_stats_simd(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_conv1d_params* p) {
  const int64_t N = p->batch, K = p->kernel_size, Lout = keel_conv1d_out_length(p), C = p->out_channels;
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = C / G;
  if (N == 0 || Lout == 0 || C == 0) return finish_stats(mean, var, C, N, Lout);
  int64_t off[KMAX];
  for (int64_t j = 0; j < K; j++) off[j] = j * p->dilation - p->pad_left;
  // Sample ranges: R by shape (never by thread count), each range's (mean, m2) per channel in part
  // (on this stack: kernels do not allocate); one range writes straight into mean/var.
  double part[kStatsPartMax];
  int64_t R = N < kStatsRanges ? N : kStatsRanges;
  if (R * 2 * C > kStatsPartMax) R = kStatsPartMax / (2 * C) > 1 ? kStatsPartMax / (2 * C) : 1;
  const float inv_t = 1.0f / (float)Lout;
  // Packed (pack_weights) when one chunk of channels holds them all: chunks cut their own task blocks.
  alignas(64) float wpk[kPackedMax];
  const bool packed = G == 1 && cout_g <= kStatsChannels && pack_weights(wpk, forward_pass(x, p, off, 0, 0), w, cout_g);
  parallel_for(G * R, 1, [&](int64_t b, int64_t e) {
    float centre[kStatsChannels];
    double sum_e[kStatsChannels], sum_e2[kStatsChannels];
    for (int64_t task = b; task < e; task++) {
      const int64_t g = task / R, r = task % R, n0 = r * N / R, n1 = (r + 1) * N / R;
      double* pm = R == 1 ? mean : part + r * 2 * C;
      double* p2 = R == 1 ? var : part + r * 2 * C + C;
      for (int64_t ch0 = 0; ch0 < cout_g; ch0 += kStatsChannels) {
        const int64_t nch = cout_g - ch0 < kStatsChannels ? cout_g - ch0 : kStatsChannels;
        const RowBlocks rb = task_blocks(nch);
        for (int64_t c = 0; c < nch; c++) sum_e[c] = 0.0, sum_e2[c] = 0.0;
        for (int64_t n = n0; n < n1; n++) {
          if (n + 1 < n1) {
            prefetch_span(x + ((n + 1) * p->in_channels + g * cin_g) * p->in_length, cin_g * p->in_length);
            prefetch_span_w(y + ((n + 1) * C + g * cout_g + ch0) * Lout, nch * Lout);
          }
          const ConvPass cp = forward_pass(x, p, off, n, g);
          for (int64_t blk = 0; blk < rb.count; blk++) {
            const int64_t c0 = rb.start(blk), co0 = g * cout_g + ch0 + c0;
            float* out = y + (n * C + co0) * Lout;
            const int mr = rb.size(blk);
            conv_rows(out, Lout, mr, cp, w + co0 * cin_g * K, bias ? bias + co0 : nullptr,
                      packed ? wpk + co0 * cin_g * K : nullptr);
            for (int m = 0; m < mr; m++) {
              const float* row = out + m * Lout;
              if (n == n0) centre[c0 + m] = first_lane(row_centre_simd(row, Lout, inv_t));
              row_deviation_sums_simd(row, Lout, V::set1(centre[c0 + m]), sum_e + c0 + m, sum_e2 + c0 + m);
            }
          }
        }
        // The range's mean and m2 per channel: with d = sum e, q = sum e^2 over its count values,
        //   mean = c + d/count,   m2 = q - d^2/count   (the shift identity, exact)
        const double count = (double)(n1 - n0) * (double)Lout;
        for (int64_t c = 0; c < nch; c++) {
          const double dm = sum_e[c] / count, m2 = sum_e2[c] - sum_e[c] * dm;
          const int64_t co = g * cout_g + ch0 + c;
          pm[co] = (double)centre[c] + dm;
          p2[co] = m2 < 0.0 ? 0.0 : m2;  // NaN stays NaN, as in the reference
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
  alignas(64) float wpk[kPackedMax];
  const bool packed = G == 1 && pack_weights(wpk, forward_pass(x, p, off, 0, 0), w, cout_g);
  parallel_for(N * G * rb.count, grain_for_flops(tflops), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t blk = task % rb.count, ng = task / rb.count, g = ng % G, n = ng / G;
      const int64_t co0 = g * cout_g + rb.start(blk);
      float* out = y + (n * p->out_channels + co0) * Lout;
      const int mr = rb.size(blk);
      conv_rows(out, Lout, mr, forward_pass(x, p, off, n, g), w + co0 * cin_g * K, bias ? bias + co0 : nullptr,
                packed ? wpk + co0 * cin_g * K : nullptr);
      // The block's rows are contiguous (row stride Lout): one ReLU sweep over mr*Lout values.
      const int64_t count = (int64_t)mr * Lout, body = count - count % V::W;
      for (int64_t i = 0; i < body; i += V::W) V::storeu(out + i, relu_vec(V::loadu(out + i)));
      for (int64_t i = body; i < count; i++) out[i] = out[i] < 0.0f ? 0.0f : out[i];
    }
  });
}
