// batchnorm1d kernel bodies for (N, C) input (length 1, the MLP's Linear -> BatchNorm1d), written
// once over the same vector-ops struct V as batchnorm1d-simd.h and included before it by the AVX2 and
// AVX-512 files (the NEON file has its own (N, C) path). Not a translation unit; no include guard on
// purpose (see batchnorm1d-simd.h).
//
// Why a second layout: a channel of (N, C) input is one float every C floats, so the per-channel
// row loops of batchnorm1d-simd.h would see rows of one element; the scalar variant's channel loop
// strides through N cache lines per channel (measured: 0.6 ms for a (128, 512) backward, a quarter of
// an MLP training epoch). Here a vector holds W neighbouring channels of one sample and every pass
// walks the rows n = 0..N-1 in memory order; the last vector of channels is a masked tail.
//
// Same algebra as the (N, C, L) path, lane by lane:
//   train forward  pass 1  s = x[0, c];  S1 = sum fl(x - s) in float32 blocks of ROW_BLOCK rows, each
//                          block widened into double;  mean = s + S1 / N
//                  pass 2  mean = m_hi + m_lo;  S2 = sum fl(x - m_hi)^2 (same blocks);
//                          var = S2 / N - m_lo^2 (clamped at 0);  invstd = 1 / sqrt(var + eps)
//                  pass 3  y = fma(x - m_hi, a, b'),  a = fl(invstd w),  b' = fl(b - m_lo invstd w)
//   eval forward   y = fma(d, a_hi, fma(d, a_lo, b)),  d = x - running_mean  (bit for bit the row path)
//   backward       Sdy = sum dy, Sdx = sum dy (x - mu) in double lanes, rows in order; then
//                  dx = fma(x - mu, C3, fma(dy, C1, C2)) (training) or fma(dy, k_hi, dy k_lo) (eval)
// Threads: one task per vector of channels, its rows in order: bitwise identical for any thread count.

namespace nc {

// Rows summed per lane in float32 (two accumulators, so at most ROW_BLOCK / 2 adds each) before the
// block is widened into double: float error stays that of a 32-term sum whatever N is.
constexpr int64_t ROW_BLOCK = 64;

// Channels [c, c + k) of one row, k <= W (lanes >= k read as 0 and are never stored).
inline typename V::F load(const float* r, int64_t k) { return k == V::W ? V::load(r) : V::load_tail(r, k); }
inline void store(float* r, typename V::F v, int64_t k) {
  if (k == V::W) {
    V::store(r, v);
  } else {
    V::store_tail(r, v, k);
  }
}

// out[j] = sum over rows n of the float terms acc(_, x[n, c + j]) adds, per lane j < W, in ROW_BLOCK
// float32 blocks widened into double. x points at channel c of row 0; rows are C floats apart.
template <typename Acc>
inline void column_sums(double* out, const float* x, int64_t N, int64_t C, int64_t k, const Acc& acc) {
  using F = typename V::F;
  typename V::D lo = V::dzero(), hi = V::dzero();
  for (int64_t b = 0; b < N; b += ROW_BLOCK) {
    const int64_t e = b + ROW_BLOCK < N ? b + ROW_BLOCK : N;
    F a0 = V::zero(), a1 = V::zero();
    int64_t n = b;
    for (; n + 2 <= e; n += 2) {
      a0 = acc(a0, load(x + n * C, k));
      a1 = acc(a1, load(x + (n + 1) * C, k));
    }
    if (n < e) a0 = acc(a0, load(x + n * C, k));
    const F a = V::add(a0, a1);
    lo = V::dadd(lo, V::lo(a));
    hi = V::dadd(hi, V::hi(a));
  }
  V::dstore(out, lo);
  V::dstore(out + V::W / 2, hi);
}

// Vectors of channels as tasks, each worth about bytes_per_row * N bytes of traffic.
template <typename Body>
inline void for_channel_vectors(int64_t N, int64_t C, int64_t bytes_per_row, const Body& body) {
  const int64_t W = V::W;
  parallel_for((C + W - 1) / W, grain_for(N * W * bytes_per_row), [&](int64_t vb, int64_t ve) {
    for (int64_t v = vb; v < ve; v++) {
      const int64_t c = v * W;
      body(c, C - c < W ? C - c : W);
    }
  });
}

inline void train_forward(float* y, float* save_mean, float* save_invstd, float* running_mean,
                          float* running_var, const float* x, const float* weight, const float* bias,
                          const keel_batchnorm1d_params* p) {
  using F = typename V::F;
  const int64_t N = p->batch, C = p->channels, W = V::W;
  const double M = (double)N, f = p->exponential_average_factor;
  for_channel_vectors(N, C, 3 * sizeof(float), [&](int64_t c, int64_t k) {
    const float* xc = x + c;
    // Pass 1: mean, from the data shifted by its first row.
    const F s = load(xc, k);
    alignas(64) float sf[W], mhi[W] = {}, a[W] = {}, b[W] = {};
    alignas(64) double s1[W], s2[W], mlo[W];
    V::store(sf, s);
    column_sums(s1, xc, N, C, k, [&](F acc, F v) { return V::add(acc, V::sub(v, s)); });
    for (int64_t j = 0; j < k; j++) {
      const double mean = (double)sf[j] + s1[j] / M;
      mhi[j] = (float)mean;
      mlo[j] = mean - (double)mhi[j];
    }
    // Pass 2: sum of squared deviations about m_hi.
    const F Mhi = V::load(mhi);
    column_sums(s2, xc, N, C, k, [&](F acc, F v) {
      const F d = V::sub(v, Mhi);
      return V::fma(d, d, acc);
    });
    for (int64_t j = 0; j < k; j++) {
      const double mean = (double)mhi[j] + mlo[j], sq = s2[j] / M - mlo[j] * mlo[j];
      const double var = sq < 0.0 ? 0.0 : sq, invstd = 1.0 / sqrt(var + p->eps);
      save_mean[c + j] = (float)mean;
      save_invstd[c + j] = (float)invstd;
      if (running_mean) {
        running_mean[c + j] = (float)((1.0 - f) * (double)running_mean[c + j] + f * mean);
        running_var[c + j] = (float)((1.0 - f) * (double)running_var[c + j] + f * (var * M / (M - 1.0)));
      }
      const double scale = invstd * (weight ? (double)weight[c + j] : 1.0);
      a[j] = (float)scale;
      b[j] = (float)((bias ? (double)bias[c + j] : 0.0) - mlo[j] * scale);
    }
    // Pass 3: y = (x - m_hi) a + b'.
    const F A = V::load(a), B = V::load(b);
    for (int64_t n = 0; n < N; n++) store(y + n * C + c, V::fma(V::sub(load(xc + n * C, k), Mhi), A, B), k);
  });
}

inline void eval_forward(float* y, const float* x, const float* running_mean, const float* running_var,
                         const float* weight, const float* bias, const keel_batchnorm1d_params* p) {
  using F = typename V::F;
  const int64_t N = p->batch, C = p->channels, W = V::W;
  for_channel_vectors(N, C, 2 * sizeof(float), [&](int64_t c, int64_t k) {
    alignas(64) float m[W] = {}, ahi[W] = {}, alo[W] = {}, b[W] = {};
    for (int64_t j = 0; j < k; j++) {
      const double invstd = 1.0 / sqrt((double)running_var[c + j] + p->eps);
      const double a = invstd * (weight ? (double)weight[c + j] : 1.0);
      m[j] = running_mean[c + j];
      ahi[j] = (float)a;
      alo[j] = (float)(a - (double)ahi[j]);
      b[j] = bias ? bias[c + j] : 0.0f;
    }
    const F Mv = V::load(m), Ahi = V::load(ahi), Alo = V::load(alo), B = V::load(b);
    for (int64_t n = 0; n < N; n++) {
      const F d = V::sub(load(x + n * C + c, k), Mv);
      store(y + n * C + c, V::fma(d, Ahi, V::fma(d, Alo, B)), k);
    }
  });
}

inline void backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                     const float* mean, const float* invstd, const float* weight,
                     const keel_batchnorm1d_backward_params* p) {
  using F = typename V::F;
  using D = typename V::D;
  const int64_t N = p->batch, C = p->channels, W = V::W;
  const double M = (double)N;
  const bool training = p->training != 0, sums = training || dweight || dbias;
  for_channel_vectors(N, C, 5 * sizeof(float), [&](int64_t c, int64_t k) {
    const F Mu = load(mean + c, k);
    // Pass 1: sum dy and sum dy (x - mu), in double lanes, rows in order.
    alignas(64) double sdy[W], sdx[W];
    if (sums) {
      const D mu_lo = V::lo(Mu), mu_hi = V::hi(Mu);
      D dy_lo = V::dzero(), dy_hi = V::dzero(), dx_lo = V::dzero(), dx_hi = V::dzero();
      for (int64_t n = 0; n < N; n++) {
        const F g = load(dy + n * C + c, k), xv = load(x + n * C + c, k);
        const D g0 = V::lo(g), g1 = V::hi(g);
        dy_lo = V::dadd(dy_lo, g0);
        dy_hi = V::dadd(dy_hi, g1);
        dx_lo = V::dfma(g0, V::dsub(V::lo(xv), mu_lo), dx_lo);
        dx_hi = V::dfma(g1, V::dsub(V::hi(xv), mu_hi), dx_hi);
      }
      V::dstore(sdy, dy_lo);
      V::dstore(sdy + W / 2, dy_hi);
      V::dstore(sdx, dx_lo);
      V::dstore(sdx + W / 2, dx_hi);
    }
    // Per channel: the sums, then the constants of pass 2.
    alignas(64) float c1[W] = {}, c2[W] = {}, c3[W] = {};
    for (int64_t j = 0; j < k; j++) {
      const double is = (double)invstd[c + j], kk = (weight ? (double)weight[c + j] : 1.0) * is;
      if (sums) {
        const double sum_dy = sdy[j], sum_dy_xhat = sdx[j] * is;
        if (dweight) dweight[c + j] = (float)sum_dy_xhat;
        if (dbias) dbias[c + j] = (float)sum_dy;
        if (training) {
          c1[j] = (float)kk;
          c2[j] = (float)(-kk * (sum_dy / M));
          c3[j] = (float)(-kk * is * (sum_dy_xhat / M));
          continue;
        }
      }
      c1[j] = (float)kk;                          // eval: k_hi
      c2[j] = (float)(kk - (double)(float)kk);    // eval: k_lo
    }
    // Pass 2: dx.
    const F C1 = V::load(c1), C2 = V::load(c2), C3 = V::load(c3);
    for (int64_t n = 0; n < N; n++) {
      const F g = load(dy + n * C + c, k);
      const F d = training ? V::fma(V::sub(load(x + n * C + c, k), Mu), C3, V::fma(g, C1, C2))
                           : V::fma(g, C1, V::mul(g, C2));
      store(dx + n * C + c, d, k);
    }
  });
}

}  // namespace nc
