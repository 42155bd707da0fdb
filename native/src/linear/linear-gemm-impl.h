// Register-blocked float32 GEMM shared by the AVX2 and AVX-512 linear variants.
//
// NOT a normal header: f32-linear-avx2.cc and f32-linear-avx512.cc each include it INSIDE an
// anonymous namespace, after defining the vector traits `V` (lanes W, vector type T, zero, loadu,
// storeu, bcast, fma, add, load_n, store_n, transpose) and the tile sizes kMR (rows of C) and kNV
// (vectors of C per row, NR = kNV * W columns), and after linear-stats.h. Internal linkage keeps each
// ISA's instantiations in its own translation unit (no ODR merging of AVX-512 code into the AVX2
// path). It includes nothing itself.
//
// The product: C (M x N, row stride ldc) = A (M x K) · B (K x N) [+ bias (N)], where
//   A(m, k) = a[m * a_rs + k * a_cs]   (a_cs == 1: rows of A are contiguous; else a_rs must be 1)
//   B(k, n) = b[k * ldb + n]           (b_trans false: rows of B are contiguous)
//   B(k, n) = b[n * ldb + k]           (b_trans true:  B is stored transposed, packed on the fly)
//
// Numerics, and why the result does not depend on the thread count: every C element is the sum over
// fixed K blocks of kKC (shape-independent constant) terms; inside a block its terms are accumulated
// in float32 with FMA in k order, starting from zero; the block sums are added to C in block order;
// the bias is added last. The order is a function of (K, element) only: not of the task split,
// the task that computes it, or the thread running the task.
//
// Tasks: a task is one panel of NR columns of C over a block of rows (all rows when the problem has
// enough column panels). For each K block the task packs its B panel into a contiguous, zero-padded
// stack buffer of kKC x NR floats (32 KB for AVX-512): B rows read in place at the stride of a
// feature dimension (e.g. 1920 floats = 7680 B) fall into 8 of the 64 L1 sets and thrash, and packing
// (a vector copy, or in-register transposes for x W^T) measured faster for dx and dW alike.
// Then every MR-row tile of the task's rows runs over that panel.
//
// The forward also has a dot-product form (linear_forward_dot) for few outputs or few rows, where a
// padded panel or the transposed packing would waste most of the work. Which form runs depends on
// the shape only.

static constexpr int kNR = kNV * V::W;
// Tunables, for experiments (the defaults are what the measurements in the variant files chose):
// prefetch the C tile before the k loop (+5-10% on dx, whose output misses L2); software prefetch of
// A rows (distance in floats; 0 = off: no measurable gain); the K block; B read in place for full
// row-major panels instead of packed (slower: see above).
#ifndef KEEL_LINEAR_PREFETCH_C
#define KEEL_LINEAR_PREFETCH_C 1
#endif
#ifndef KEEL_LINEAR_PREFETCH_A
#define KEEL_LINEAR_PREFETCH_A 0
#endif
#ifndef KEEL_LINEAR_KC
#define KEEL_LINEAR_KC 256
#endif
static constexpr int64_t kKC = KEEL_LINEAR_KC;  // K block (the summation blocks above)
static constexpr int64_t kPrefetchColA = 8;  // k steps ahead (4 and 8 measured alike)
#ifndef KEEL_LINEAR_DIRECT_B
#define KEEL_LINEAR_DIRECT_B 0
#endif
static constexpr bool kDirectB = KEEL_LINEAR_DIRECT_B;

// buf[k * kNR + j] = src[j * ld + k] for k < kc, j < nr; zero for nr <= j < kNR (a W^T panel): each
// W x W block of the stored matrix (W of its rows, which are columns j of B, by W consecutive k) is
// read as W row vectors and transposed in registers (V::transpose); rows past nr read as zeros. One
// gather per (k, vector) did the same, but on Zen 4 a 16-lane gather costs 30-60 cycles: packing then
// took a third of a 128-row forward (512 -> 256).
static void pack_b_trans(float* __restrict buf, const float* __restrict src, int64_t ld, int64_t kc, int64_t nr) {
  for (int64_t k0 = 0; k0 < kc; k0 += V::W) {
    const int64_t kn = kc - k0 < V::W ? kc - k0 : V::W;
#pragma GCC unroll 4
    for (int h = 0; h < kNV; h++) {
      typename V::T r[V::W];
#pragma GCC unroll 16
      for (int i = 0; i < V::W; i++) {
        const int64_t j = h * V::W + i;
        r[i] = j < nr ? V::load_n(src + j * ld + k0, kn) : V::zero();
      }
      V::transpose(r);
      for (int64_t kk = 0; kk < kn; kk++) V::storeu(buf + (k0 + kk) * kNR + h * V::W, r[kk]);
    }
  }
}

// One MR x NR tile of C over a K block of kc terms.
//   a: A(row0, kb); astr: the row stride of A when ROWA (a_cs == 1), else the k stride (a_rs == 1).
//   b: B(kb, col0) with row stride ldb (kNR floats wide readable).
//   accumulate: add to C (a later K block); bias: added after (last K block), or null.
template <int MR, bool ROWA>
static inline void micro_tile(int64_t kc, const float* __restrict a, int64_t astr, const float* __restrict b,
                              int64_t ldb, float* __restrict c, int64_t ldc, int64_t nvalid, bool accumulate,
                              const float* __restrict bias) {
  typename V::T acc[MR][kNV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < kNV; j++) acc[i][j] = V::zero();
#if KEEL_LINEAR_PREFETCH_C
  // The C tile is written (or read) after the k loop: start fetching its lines now.
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    __builtin_prefetch(c + i * ldc, 1, 3);
    __builtin_prefetch(c + i * ldc + kNR - 1, 1, 3);
  }
#endif
  if (ROWA) {
    // Rows of A at a + i*astr; both pointers walk along k.
    const float* ap = a;
    for (int64_t k = 0; k < kc; k++, ap++, b += ldb) {
#if KEEL_LINEAR_PREFETCH_A
      if ((k & 15) == 0) {
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++) __builtin_prefetch(ap + i * astr + KEEL_LINEAR_PREFETCH_A, 0, 3);
      }
#endif
      typename V::T bv[kNV];
#pragma GCC unroll 4
      for (int j = 0; j < kNV; j++) bv[j] = V::loadu(b + j * V::W);
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const typename V::T av = V::bcast(ap + i * astr);
#pragma GCC unroll 4
        for (int j = 0; j < kNV; j++) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
      }
    }
  } else {
    // Columns of A: the MR values for one k are contiguous at a + k*astr (dW = dy^T x reads dy so,
    // astr = the layer's outputs). Each k lands on a new line of A, a stride the hardware prefetchers
    // did not follow on the Intel Xeon of lscpu model 106: fetching the lines kPrefetchColA steps
    // ahead made dW 0.73-0.77x as long for the MLP's 784 -> 512 layer (hot data, 1 and 2 threads),
    // 0.83-0.90x for 512 -> 256 and 1920 -> 128 or 64, 0.80x inside the MLP's training step (bench:ab),
    // and AVX2 0.95x. Under 64 floats apart the lines are already in L1 (10 outputs: 4% slower with
    // it). The address may lie past the end of A; a prefetch never faults.
    const uintptr_t pf = astr >= 64 ? (uintptr_t)(kPrefetchColA * astr * (int64_t)sizeof(float)) : 0;
    for (int64_t k = 0; k < kc; k++, a += astr, b += ldb) {
      if (pf) {
        __builtin_prefetch((const void*)((uintptr_t)a + pf), 0, 3);
        __builtin_prefetch((const void*)((uintptr_t)(a + MR - 1) + pf), 0, 3);
      }
      typename V::T bv[kNV];
#pragma GCC unroll 4
      for (int j = 0; j < kNV; j++) bv[j] = V::loadu(b + j * V::W);
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const typename V::T av = V::bcast(a + i);
#pragma GCC unroll 4
        for (int j = 0; j < kNV; j++) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    float* ci = c + i * ldc;
#pragma GCC unroll 4
    for (int j = 0; j < kNV; j++) {
      const int64_t n = nvalid - (int64_t)j * V::W;
      if (n <= 0) break;
      typename V::T r = acc[i][j];
      if (n >= V::W) {
        if (accumulate) r = V::add(V::loadu(ci + j * V::W), r);
        if (bias) r = V::add(r, V::loadu(bias + j * V::W));
        V::storeu(ci + j * V::W, r);
      } else {
        if (accumulate) r = V::add(V::load_n(ci + j * V::W, n), r);
        if (bias) r = V::add(r, V::load_n(bias + j * V::W, n));
        V::store_n(ci + j * V::W, r, n);
      }
    }
  }
}

template <bool ROWA>
static void micro_tile_rows(int mr, int64_t kc, const float* a, int64_t astr, const float* b, int64_t ldb, float* c,
                            int64_t ldc, int64_t nvalid, bool accumulate, const float* bias) {
  switch (mr) {
#define KEEL_TILE_CASE(R)                                                                  \
  case R:                                                                                  \
    if (R <= kMR) micro_tile<(R <= kMR ? R : 1), ROWA>(kc, a, astr, b, ldb, c, ldc, nvalid, accumulate, bias); \
    break;
    KEEL_TILE_CASE(1) KEEL_TILE_CASE(2) KEEL_TILE_CASE(3) KEEL_TILE_CASE(4) KEEL_TILE_CASE(5)
    KEEL_TILE_CASE(6) KEEL_TILE_CASE(7) KEEL_TILE_CASE(8) KEEL_TILE_CASE(9) KEEL_TILE_CASE(10)
    KEEL_TILE_CASE(11) KEEL_TILE_CASE(12) KEEL_TILE_CASE(13) KEEL_TILE_CASE(14)
#undef KEEL_TILE_CASE
    default:
      break;
  }
}

struct GemmArgs {
  int64_t M, N, K;
  const float* a;
  int64_t a_rs, a_cs;
  const float* b;
  int64_t ldb;
  bool b_trans;
  float* c;
  int64_t ldc;
  const float* bias;
  // When set, each column's BatchNorm batch statistics of C (linear-stats.h), taken by the task that
  // wrote the column while its panel is in cache (a pass of their own when tasks split the rows).
  double* mean = nullptr;
  double* var = nullptr;
};

// Packs B(kb .. kb+kc, col0 .. col0+nr) into buf[k * kNR + j], zero past nr.
static void pack_b(float* __restrict buf, const GemmArgs& g, int64_t kb, int64_t kc, int64_t col0, int64_t nr) {
  if (!g.b_trans) {
    if (nr == kNR) {
      for (int64_t k = 0; k < kc; k++) {
        const float* src = g.b + (kb + k) * g.ldb + col0;
#pragma GCC unroll 4
        for (int j = 0; j < kNV; j++) V::storeu(buf + k * kNR + j * V::W, V::loadu(src + j * V::W));
      }
      return;
    }
    for (int64_t k = 0; k < kc; k++) {
      const float* src = g.b + (kb + k) * g.ldb + col0;
      float* dst = buf + k * kNR;
      int64_t j = 0;
      for (; j < nr; j++) dst[j] = src[j];
      for (; j < kNR; j++) dst[j] = 0.0f;
    }
  } else {
    pack_b_trans(buf, g.b + col0 * g.ldb + kb, g.ldb, kc, nr);
  }
}

// C rows [row0, row1) x the column panel `panel`, all K blocks in order.
static void gemm_task(const GemmArgs& g, int64_t panel, int64_t row0, int64_t row1) {
  alignas(64) float buf[kKC * kNR];
  const int64_t col0 = panel * kNR, nr = g.N - col0 < kNR ? g.N - col0 : kNR;
  const bool rowa = g.a_cs == 1;
  const int64_t astr = rowa ? g.a_rs : g.a_cs;
  if (g.K == 0) {  // an empty sum: zeros (+ bias)
    for (int64_t m = row0; m < row1; m++)
      for (int64_t j = 0; j < nr; j++) g.c[m * g.ldc + col0 + j] = g.bias ? g.bias[col0 + j] : 0.0f;
    return;
  }
  for (int64_t kb = 0; kb < g.K; kb += kKC) {
    const int64_t kc = g.K - kb < kKC ? g.K - kb : kKC;
    const float* bp;
    int64_t ldbp;
    // A panel used by a single tile (few rows) is not worth packing: read B in place.
    if (!g.b_trans && nr == kNR && (kDirectB || row1 - row0 <= kMR)) {
      bp = g.b + kb * g.ldb + col0, ldbp = g.ldb;
    } else {
      pack_b(buf, g, kb, kc, col0, nr);
      bp = buf, ldbp = kNR;
    }
    const bool accumulate = kb > 0;
    const float* bias = (kb + kc == g.K && g.bias) ? g.bias + col0 : nullptr;
    for (int64_t m = row0; m < row1; m += kMR) {
      const int mr = (int)(row1 - m < kMR ? row1 - m : kMR);
      const float* a = g.a + m * g.a_rs + kb * g.a_cs;
      float* c = g.c + m * g.ldc + col0;
      if (rowa)
        micro_tile_rows<true>(mr, kc, a, astr, bp, ldbp, c, g.ldc, nr, accumulate, bias);
      else
        micro_tile_rows<false>(mr, kc, a, astr, bp, ldbp, c, g.ldc, nr, accumulate, bias);
    }
  }
}

static void gemm(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  const int64_t panels = (g.N + kNR - 1) / kNR;
  // Row blocks only when there are too few column panels to share (the result does not depend on
  // this split: see the header comment). With 4-8 panels and an A beyond L2 (the backbone's
  // 256 x 1920 -> 128 forward, which reads all of A once per panel), tasks of 48 rows over every
  // panel made that forward 3% slower in the training step (Intel Xeon, bench:ab).
  const int64_t mc = panels >= 4 ? g.M : (int64_t)kMR * 8;
  const int64_t mblocks = (g.M + mc - 1) / mc;
  const int64_t tasks = panels * mblocks;
  const int64_t flops_per_task = 2 * (g.M < mc ? g.M : mc) * kNR * (g.K > 0 ? g.K : 1);
  const int64_t target = 4 << 20;  // ~4 MFLOP per chunk is worth handing to another thread
  const int64_t grain = flops_per_task >= target ? 1 : (target + flops_per_task - 1) / flops_per_task;
  parallel_for(tasks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; t++) {
      const int64_t panel = t / mblocks, mb = t % mblocks;
      const int64_t row0 = mb * mc, row1 = row0 + mc < g.M ? row0 + mc : g.M;
      gemm_task(g, panel, row0, row1);
      if (g.mean && mblocks == 1) {
        const int64_t col0 = panel * kNR, nr = g.N - col0 < kNR ? g.N - col0 : kNR;
        column_moments(g.c + col0, g.ldc, g.M, nr, g.mean + col0, g.var + col0);
      }
    }
  });
  if (g.mean && mblocks > 1) all_column_moments(g.c, g.ldc, g.M, g.N, g.mean, g.var);
}

// ---- dot-product form of the forward, for few outputs or few rows -------------------------------
// y[n, o] = hsum over lanes of (sum over k-vectors of x[n, k..] * w[o, k..]) (+ b[o]): rows of x and
// W are both contiguous along k, so nothing is packed and no FMA is wasted on padded columns (the
// GEMM form computes whole 16/32-column panels). Fixed order per element: lane-wise FMA over k in
// order (the K tail masked), then a fixed reduction tree, then the bias.
template <int RN, int RO>
static inline void dot_tile(const float* __restrict x, const float* __restrict w, int64_t K, float* __restrict y,
                            int64_t ldy, const float* __restrict bias) {
  typename V::T acc[RN][RO];
#pragma GCC unroll 4
  for (int i = 0; i < RN; i++)
#pragma GCC unroll 4
    for (int j = 0; j < RO; j++) acc[i][j] = V::zero();
  int64_t k = 0;
  for (; k + V::W <= K; k += V::W) {
    typename V::T xv[RN];
#pragma GCC unroll 4
    for (int i = 0; i < RN; i++) xv[i] = V::loadu(x + i * K + k);
#pragma GCC unroll 4
    for (int j = 0; j < RO; j++) {
      const typename V::T wv = V::loadu(w + j * K + k);
#pragma GCC unroll 4
      for (int i = 0; i < RN; i++) acc[i][j] = V::fma(xv[i], wv, acc[i][j]);
    }
  }
  if (k < K) {
    const int64_t n = K - k;
    typename V::T xv[RN];
#pragma GCC unroll 4
    for (int i = 0; i < RN; i++) xv[i] = V::load_n(x + i * K + k, n);
#pragma GCC unroll 4
    for (int j = 0; j < RO; j++) {
      const typename V::T wv = V::load_n(w + j * K + k, n);
#pragma GCC unroll 4
      for (int i = 0; i < RN; i++) acc[i][j] = V::fma(xv[i], wv, acc[i][j]);
    }
  }
#pragma GCC unroll 4
  for (int i = 0; i < RN; i++)
#pragma GCC unroll 4
    for (int j = 0; j < RO; j++) {
      float s = V::hsum(acc[i][j]);
      if (bias) s += bias[j];
      y[i * ldy + j] = s;
    }
}

static constexpr int kDotRN = 4, kDotRO = 4;
#ifndef KEEL_LINEAR_DOT_MAX_O
#define KEEL_LINEAR_DOT_MAX_O 16
#endif
#ifndef KEEL_LINEAR_DOT_MAX_N
#define KEEL_LINEAR_DOT_MAX_N 12
#endif
static constexpr int64_t kDotMaxO = KEEL_LINEAR_DOT_MAX_O, kDotMaxN = KEEL_LINEAR_DOT_MAX_N;

static void dot_tile_dyn(int rn, int ro, const float* x, const float* w, int64_t K, float* y, int64_t ldy,
                         const float* bias) {
  switch (rn * 8 + ro) {
#define KEEL_DOT_CASE(A, B) \
  case A * 8 + B:           \
    dot_tile<A, B>(x, w, K, y, ldy, bias); \
    break;
    KEEL_DOT_CASE(1, 1) KEEL_DOT_CASE(1, 2) KEEL_DOT_CASE(1, 3) KEEL_DOT_CASE(1, 4)
    KEEL_DOT_CASE(2, 1) KEEL_DOT_CASE(2, 2) KEEL_DOT_CASE(2, 3) KEEL_DOT_CASE(2, 4)
    KEEL_DOT_CASE(3, 1) KEEL_DOT_CASE(3, 2) KEEL_DOT_CASE(3, 3) KEEL_DOT_CASE(3, 4)
    KEEL_DOT_CASE(4, 1) KEEL_DOT_CASE(4, 2) KEEL_DOT_CASE(4, 3) KEEL_DOT_CASE(4, 4)
#undef KEEL_DOT_CASE
    default:
      break;
  }
}

// y (N, O) by dot products; tasks are blocks of kDotRN rows of y (all O columns).
static void linear_forward_dot(float* y, const float* x, const float* w, const float* bias, int64_t N, int64_t I,
                               int64_t O) {
  const int64_t tasks = (N + kDotRN - 1) / kDotRN;
  const int64_t flops_per_task = 2 * kDotRN * O * I;
  const int64_t target = 4 << 20;
  const int64_t grain = flops_per_task >= target ? 1 : (target + flops_per_task - 1) / flops_per_task;
  parallel_for(tasks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; t++) {
      const int64_t n0 = t * kDotRN;
      const int rn = (int)(N - n0 < kDotRN ? N - n0 : kDotRN);
      for (int64_t o0 = 0; o0 < O; o0 += kDotRO) {
        const int ro = (int)(O - o0 < kDotRO ? O - o0 : kDotRO);
        dot_tile_dyn(rn, ro, x + n0 * I, w + o0 * I, I, y + n0 * O + o0, O, bias ? bias + o0 : nullptr);
      }
    }
  });
}

// ---- the four linear kernels -------------------------------------------------------------------

// y (N, O) = x (N, I) · W^T + b: A = x (rows contiguous), B(k=i, n=o) = W[o, i] (transposed); with
// mean/var, also each column's BatchNorm batch statistics (linear-stats.h; y is the same either way).
static void linear_forward(float* y, const float* x, const float* w, const float* bias, const keel_linear_params* p,
                           double* mean = nullptr, double* var = nullptr) {
  const int64_t N = p->batch, I = p->in_features, O = p->out_features;
  // Few outputs (a padded 16/32-column panel would waste most FMAs) or a handful of rows (the
  // transposed packing of W would not be amortised): dot products. Chosen by shape only.
  if (O < kDotMaxO || N < kDotMaxN) {
    linear_forward_dot(y, x, w, bias, N, I, O);
    if (mean) all_column_moments(y, O, N, O, mean, var);
    return;
  }
  GemmArgs g{N, O, I, x, I, 1, w, I, true, y, O, bias};
  g.mean = mean, g.var = var;
  gemm(g);
}

// dx (N, I) = dy (N, O) · W (O, I): A = dy (rows contiguous), B = W (rows contiguous).
static void linear_backward_data(float* dx, const float* dy, const float* w, const keel_linear_params* p) {
  const int64_t N = p->batch, I = p->in_features, O = p->out_features;
  gemm(GemmArgs{N, I, O, dy, O, 1, w, I, false, dx, I, nullptr});
}

// dW (O, I) = dy^T (O, N) · x (N, I): A(m=o, k=n) = dy[n, o] (columns contiguous), B = x.
static void linear_backward_weight(float* dw, const float* x, const float* dy, const keel_linear_params* p) {
  const int64_t N = p->batch, I = p->in_features, O = p->out_features;
  gemm(GemmArgs{O, I, N, dy, 1, O, x, I, false, dw, I, nullptr});
}

// db (O) = sum over n of dy[n, :], in blocks of kKC rows (each summed from zero, added in order).
static void linear_backward_bias(float* db, const float* dy, const keel_linear_params* p) {
  const int64_t N = p->batch, O = p->out_features;
  for (int64_t o = 0; o < O; o += V::W) {
    const int64_t n_lanes = O - o < V::W ? O - o : V::W;
    typename V::T total = V::zero();
    for (int64_t nb = 0; nb < N; nb += kKC) {
      const int64_t ne = N - nb < kKC ? N : nb + kKC;
      typename V::T s0 = V::zero();
      if (n_lanes == V::W) {
        for (int64_t n = nb; n < ne; n++) s0 = V::add(s0, V::loadu(dy + n * O + o));
      } else {
        for (int64_t n = nb; n < ne; n++) s0 = V::add(s0, V::load_n(dy + n * O + o, n_lanes));
      }
      total = V::add(total, s0);
    }
    if (n_lanes == V::W)
      V::storeu(db + o, total);
    else
      V::store_n(db + o, total, n_lanes);
  }
}
