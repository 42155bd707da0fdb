// batchnorm1d kernel bodies, written once over a vector-ops struct V (W float lanes; see
// f32-batchnorm1d-avx512.cc for the algebra and the error analysis). (N, C) input (L = 1) goes to
// the channel-vector bodies of batchnorm1d-nc-simd.h, which the including file includes first. Included inside an anonymous
// namespace by f32-batchnorm1d-avx2.cc and f32-batchnorm1d-avx512.cc after their V, so each ISA
// file compiles it with its own flags only. Not a translation unit of its own; no include guard on
// purpose (each including file wants it once, in its own V's scope).

// A row of L floats is cut into blocks of BLOCK_VECS vectors (fixed by L, never by threads).
constexpr int64_t BLOCK_VECS = 64;
// The next channel is prefetched into L2 while the current one is processed only when both fit in
// half of this core's L2 (keel::l2_cache_bytes(): 1 MB on the Xeon, 512 KB on Zen 4): otherwise the
// prefetched lines would be evicted before use.
//
// Outputs of keel::streaming_store_bytes() (8 MB) or more are written with streaming (non-temporal)
// stores: the forwards' y and the training backward's dx. They are written back to memory anyway, and plain stores would first read
// every line (read-for-ownership) and evict the x, dy, y the surrounding passes read. Measured at the
// bench shape (32 MB): on the Xeon, streaming dx made the backward ~15% faster alone and forward +
// backward ~16%; on Zen 4 (AMD EPYC, 2 vCPUs), streaming y took the forward from 3.5 to 2.6 ms.
// Smaller outputs stay in the caches for the layer that reads them next.

// Adds K sums over one row of L floats into the double accumulators acc[0..K): within each block,
// 4 sets of K float accumulators, updated by full(a, l) for the W lanes at l and tail(a, l, n) for
// the last n < W lanes (which must leave lanes >= n at 0); at the end of the block, sets 0..3 are
// widened and added into acc in that order.
template <int K, typename Full, typename Tail>
inline void row_sums(typename V::D* acc, int64_t L, const Full& full, const Tail& tail) {
  const int64_t W = V::W, BL = BLOCK_VECS * V::W;
  for (int64_t b = 0; b < L; b += BL) {
    const int64_t e = b + BL < L ? b + BL : L;
    typename V::F a0[K], a1[K], a2[K], a3[K];
    for (int k = 0; k < K; k++) a0[k] = a1[k] = a2[k] = a3[k] = V::zero();
    int64_t l = b;
    for (; l + 4 * W <= e; l += 4 * W) {
      full(a0, l);
      full(a1, l + W);
      full(a2, l + 2 * W);
      full(a3, l + 3 * W);
    }
    if (l + W <= e) full(a0, l), l += W;
    if (l + W <= e) full(a1, l), l += W;
    if (l + W <= e) full(a2, l), l += W;
    if (l < e) tail(a3, l, e - l);
    for (int k = 0; k < K; k++) {
      acc[k] = V::widen_add(acc[k], a0[k]);
      acc[k] = V::widen_add(acc[k], a1[k]);
      acc[k] = V::widen_add(acc[k], a2[k]);
      acc[k] = V::widen_add(acc[k], a3[k]);
    }
  }
}

// Applies out = g(l) over a row of L floats: g_full(l) for full vectors, g_tail(l, n) for n < W
// floats at l. The first floats up to a W-float boundary of out go through g_tail, so every full
// store is aligned (and so are the loads of inputs at the same alignment: Node's large
// Float32Arrays all sit 16 bytes past a cache line, so unaligned 64-byte accesses would all split
// a line). Elementwise, so where the row is cut changes no result. NT: streaming stores (aligned
// ones, so only after the cut) for outputs far larger than the caches (streaming_store_bytes); the
// caller must V::store_fence() before the results are published to other threads.
template <bool NT = false, typename Full, typename Tail>
inline void row_map(float* out, int64_t L, const Full& g_full, const Tail& g_tail) {
  const int64_t W = V::W;
  const auto put = [&](int64_t l, typename V::F v) { NT ? V::stream(out + l, v) : V::store(out + l, v); };
  int64_t l = (int64_t)((0 - (uintptr_t)out) / sizeof(float)) & (W - 1);
  if (l > L) l = L;
  if (l > 0) V::store_tail(out, g_tail(0, l), l);
  for (; l + 2 * W <= L; l += 2 * W) {
    put(l, g_full(l));
    put(l + W, g_full(l + W));
  }
  if (l + W <= L) put(l, g_full(l)), l += W;
  if (l < L) V::store_tail(out + l, g_tail(l, L - l), L - l);
}

inline void train_forward(float* y, float* save_mean, float* save_invstd, float* running_mean,
                          float* running_var, const float* x, const float* weight, const float* bias,
                          const keel_batchnorm1d_params* p) {
  using F = typename V::F;
  using D = typename V::D;
  const int64_t N = p->batch, C = p->channels, L = p->length, rs = C * L;
  const double M = (double)(N * L), f = p->exponential_average_factor, eps = p->eps;
  if (L == 1) return nc::train_forward(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, p);
  if (L < V::W) {
    // Rows shorter than a vector: the per-row block reductions would cost more than the scalar
    // variant's loops, so use those (the exact port; threaded the same way).
    f32_batchnorm1d_train_forward__scalar(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, p);
    return;
  }
  const bool stream_y = N * C * L * (int64_t)sizeof(float) >= streaming_store_bytes();
  // Channel c. first: its x comes from memory (first channel of its chunk, or no pipelining), so
  // pass 1 prefetches it a row ahead. xn: the next channel of the chunk, or null; it is prefetched
  // into L2 during passes 2 and 3, so its pass 1 reads L2 while this channel's passes run.
  const auto channel = [&](int64_t c, bool first, const float* xn) {
    const float* xc = x + c * L;
    // Pass 1: mean, from the shifted data x - s.
    const float s0 = xc[0];
    const F s = V::set1(s0);
    D acc[1] = {V::dzero()};
    for (int64_t n = 0; n < N; n++) {
      const float* r = xc + n * rs;
      const float* next = first && n + 1 < N ? r + rs : r;
      V::Row xr(r, L);
      row_sums<1>(
          acc, L,
          [&](F* a, int64_t l) {
            if (V::W >= 16 || l % 16 == 0) V::prefetch(next + l);  // one per 64-byte line
            a[0] = V::add(a[0], V::sub(xr.at(l), s));
          },
          [&](F* a, int64_t l, int64_t k) { a[0] = V::add(a[0], V::keep(V::sub(xr.tail(l, k), s), k)); });
    }
    const double mean = (double)s0 + V::hsum(acc[0]) / M;
    // Pass 2: sum of squared deviations. With mean = m_hi + m_lo (m_hi a float), d = fl(x - m_hi)
    // and sum (x - m_hi) = M m_lo:  sum (x - mean)^2 = sum d^2 - M m_lo^2.
    const float mhi_f = (float)mean;
    const double mlo = mean - (double)mhi_f;
    const F mhi = V::set1(mhi_f);
    acc[0] = V::dzero();
    for (int64_t n = 0; n < N; n++) {
      const float* r = xc + n * rs;
      const float* pf = xn && n % 2 == 0 ? xn + n * rs : r;  // even rows of the next channel
      V::Row xr(r, L);
      row_sums<1>(
          acc, L,
          [&](F* a, int64_t l) {
            if (l % 16 < V::W) V::prefetch_l2(pf + l);
            const F d = V::sub(xr.at(l), mhi);
            a[0] = V::fma(d, d, a[0]);
          },
          [&](F* a, int64_t l, int64_t k) {
            const F d = V::keep(V::sub(xr.tail(l, k), mhi), k);
            a[0] = V::fma(d, d, a[0]);
          });
    }
    const double sq = V::hsum(acc[0]) / M - mlo * mlo;
    const double var = sq < 0.0 ? 0.0 : sq;  // rounding can make it slightly negative; NaN stays NaN
    const double invstd = 1.0 / sqrt(var + eps);
    save_mean[c] = (float)mean;
    save_invstd[c] = (float)invstd;
    if (running_mean) {
      running_mean[c] = (float)((1.0 - f) * (double)running_mean[c] + f * mean);
      running_var[c] = (float)((1.0 - f) * (double)running_var[c] + f * (var * M / (M - 1.0)));
    }
    const double w = weight ? (double)weight[c] : 1.0, b = bias ? (double)bias[c] : 0.0;
    // Pass 3: y = (x - mean) invstd w + b = d a + (b - m_lo a),  a = invstd w.
    const double a = invstd * w;
    const F A = V::set1((float)a), B = V::set1((float)(b - mlo * a));
    for (int64_t n = 0; n < N; n++) {
      const float* r = xc + n * rs;
      const float* pf = xn && n % 2 == 1 ? xn + n * rs : r;  // odd rows of the next channel
      const auto g = [&](int64_t l) {
        if (l % 16 < V::W) V::prefetch_l2(pf + l);
        return V::fma(V::sub(V::load(r + l), mhi), A, B);
      };
      const auto g_tail = [&](int64_t l, int64_t k) { return V::fma(V::sub(V::load_tail(r + l, k), mhi), A, B); };
      if (stream_y) {
        row_map<true>(y + c * L + n * rs, L, g, g_tail);
      } else {
        row_map<false>(y + c * L + n * rs, L, g, g_tail);
      }
    }
  };
  parallel_for(C, grain_for(N * L * (int64_t)sizeof(float)), [&](int64_t cb, int64_t ce) {
    const bool pipeline = 2 * N * L * (int64_t)sizeof(float) <= l2_cache_bytes() / 2;
    for (int64_t c = cb; c < ce; c++) {
      channel(c, c == cb || !pipeline, pipeline && c + 1 < ce ? x + (c + 1) * L : nullptr);
    }
    if (stream_y) V::store_fence();  // as the backward's dx: before the join publishes y
  });
}

inline void eval_forward(float* y, const float* x, const float* running_mean, const float* running_var,
                         const float* weight, const float* bias, const keel_batchnorm1d_params* p) {
  using F = typename V::F;
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double eps = p->eps;
  if (L == 1) return nc::eval_forward(y, x, running_mean, running_var, weight, bias, p);
  const bool stream_y = N * C * L * (int64_t)sizeof(float) >= streaming_store_bytes();
  // One task per (n, c) row, in memory order.
  parallel_for(N * C, grain_for(L * (int64_t)sizeof(float)), [&](int64_t rb, int64_t re) {
    for (int64_t row = rb; row < re; row++) {
      const int64_t c = row % C;
      const double invstd = 1.0 / sqrt((double)running_var[c] + eps);
      const double a = invstd * (weight ? (double)weight[c] : 1.0);
      const float a_hi = (float)a, a_lo = (float)(a - (double)a_hi);
      const F m = V::set1(running_mean[c]), Ahi = V::set1(a_hi), Alo = V::set1(a_lo);
      const F B = V::set1(bias ? bias[c] : 0.0f);
      const float* r = x + row * L;
      const auto g = [&](int64_t l) {
        const F d = V::sub(V::load(r + l), m);
        return V::fma(d, Ahi, V::fma(d, Alo, B));
      };
      const auto g_tail = [&](int64_t l, int64_t k) {
        const F d = V::sub(V::load_tail(r + l, k), m);
        return V::fma(d, Ahi, V::fma(d, Alo, B));
      };
      if (stream_y) {
        row_map<true>(y + row * L, L, g, g_tail);
      } else {
        row_map<false>(y + row * L, L, g, g_tail);
      }
    }
    if (stream_y) V::store_fence();
  });
}

inline void backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                     const float* mean, const float* invstd, const float* weight,
                     const keel_batchnorm1d_backward_params* p) {
  using F = typename V::F;
  using D = typename V::D;
  const int64_t N = p->batch, C = p->channels, L = p->length, rs = C * L;
  if (L == 1) return nc::backward(dx, dweight, dbias, dy, x, mean, invstd, weight, p);
  const double M = (double)(N * L);
  const bool training = p->training != 0, sums = training || dweight || dbias;
  const bool stream_dx = training && N * C * L * (int64_t)sizeof(float) >= streaming_store_bytes();
  // Channel c. first: its x, dy come from memory (first channel of its chunk, or no pipelining), so
  // pass 1 prefetches them a row ahead. next_channel: the chunk goes on with channel c + 1, whose x
  // is prefetched into L2 during pass 1 and dy during pass 2.
  const auto channel = [&](int64_t c, bool first, bool next_channel) {
    const double mu = (double)mean[c], is = (double)invstd[c];
    const F Mu = V::set1(mean[c]);
    // Pass 1: sum dy and sum dy (x - mu), in double lanes: float32 blocks (row_sums) lose ~1e-5
    // absolute on sums of 64K terms that cancel, since each product dy (x - mu) is rounded to float
    // (and x - mu too, with a bias: mu is the same for every term; TwoSum can recover that one, not
    // the products' roundings). Measured: float blocks + TwoSum ~17% faster in L2, within noise
    // (~5%) at the bench shape, where this pass waits on memory: not worth the accuracy.
    const D mud = V::dset1(mu);
    D sdy[4], sdx[4];
    for (int j = 0; j < 4; j++) sdy[j] = sdx[j] = V::dzero();
    const auto step = [&](int j, F g, F xv) {
      const D g0 = V::lo(g), g1 = V::hi(g);
      sdy[j] = V::dadd(sdy[j], g0);
      sdy[j + 1] = V::dadd(sdy[j + 1], g1);
      sdx[j] = V::dfma(g0, V::dsub(V::lo(xv), mud), sdx[j]);
      sdx[j + 1] = V::dfma(g1, V::dsub(V::hi(xv), mud), sdx[j + 1]);
    };
    if (sums) {
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + c * L + n * rs;
        const float* dyr = dy + c * L + n * rs;
        const int64_t next = first && n + 1 < N ? rs : 0;
        const float* pf = next_channel ? xr + L : xr;
        V::Row xrow(xr, L), dyrow(dyr, L);
        int64_t l = 0;
        for (; l + 2 * V::W <= L; l += 2 * V::W) {
          V::prefetch(xr + next + l);
          V::prefetch(dyr + next + l);
          V::prefetch_l2(pf + l);
          step(0, dyrow.at(l), xrow.at(l));
          if (V::W >= 16) {  // 2W floats span two lines
            V::prefetch(xr + next + l + V::W);
            V::prefetch(dyr + next + l + V::W);
            V::prefetch_l2(pf + l + V::W);
          }
          step(2, dyrow.at(l + V::W), xrow.at(l + V::W));
        }
        if (l + V::W <= L) step(0, dyrow.at(l), xrow.at(l)), l += V::W;
        // Tail: dy reads as 0 past L, so those lanes add 0 (x reads as 0, x - mu finite).
        if (l < L) step(2, dyrow.tail(l, L - l), xrow.tail(l, L - l));
      }
    }
    const double sum_dy = V::hsum(V::dadd(V::dadd(sdy[0], sdy[1]), V::dadd(sdy[2], sdy[3])));
    const double sum_dy_xhat = V::hsum(V::dadd(V::dadd(sdx[0], sdx[1]), V::dadd(sdx[2], sdx[3]))) * is;
    if (dweight) dweight[c] = (float)sum_dy_xhat;
    if (dbias) dbias[c] = (float)sum_dy;
    const double k = (weight ? (double)weight[c] : 1.0) * is;
    // Pass 2: dx.
    if (training) {
      const F C1 = V::set1((float)k), C2 = V::set1((float)(-k * (sum_dy / M))),
              C3 = V::set1((float)(-k * is * (sum_dy_xhat / M)));
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + c * L + n * rs;
        const float* dyr = dy + c * L + n * rs;
        const float* pf = next_channel ? dyr + L : dyr;
        const auto g = [&](int64_t l) {
          if (l % 16 < V::W) V::prefetch_l2(pf + l);  // one per 16 floats, i.e. per line
          return V::fma(V::sub(V::load(xr + l), Mu), C3, V::fma(V::load(dyr + l), C1, C2));
        };
        const auto g_tail = [&](int64_t l, int64_t kk) {
          return V::fma(V::sub(V::load_tail(xr + l, kk), Mu), C3, V::fma(V::load_tail(dyr + l, kk), C1, C2));
        };
        if (stream_dx) {
          row_map<true>(dx + c * L + n * rs, L, g, g_tail);
        } else {
          row_map<false>(dx + c * L + n * rs, L, g, g_tail);
        }
      }
    } else {
      const float k_hi = (float)k, k_lo = (float)(k - (double)k_hi);
      const F Khi = V::set1(k_hi), Klo = V::set1(k_lo);
      for (int64_t n = 0; n < N; n++) {
        const float* dyr = dy + c * L + n * rs;
        row_map(
            dx + c * L + n * rs, L,
            [&](int64_t l) {
              const F g = V::load(dyr + l);
              return V::fma(g, Khi, V::mul(g, Klo));
            },
            [&](int64_t l, int64_t kk) {
              const F g = V::load_tail(dyr + l, kk);
              return V::fma(g, Khi, V::mul(g, Klo));
            });
      }
    }
  };
  parallel_for(C, grain_for(2 * N * L * (int64_t)sizeof(float)), [&](int64_t cb, int64_t ce) {
    const bool pipeline = 2 * 2 * N * L * (int64_t)sizeof(float) <= l2_cache_bytes() / 2;
    for (int64_t c = cb; c < ce; c++) channel(c, c == cb || !pipeline, pipeline && c + 1 < ce);
    // Streaming stores are weakly ordered: complete this thread's before the pool's join publishes
    // dx to the caller.
    if (stream_dx) V::store_fence();
  });
}
