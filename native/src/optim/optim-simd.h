// Optimiser updates written once over a vector-traits type `V` and compiled once per ISA.
//
// NOT a normal header: f32-optim-avx2.cc, f32-optim-avx512.cc and f32-optim-neon.cc each define
// their traits `V` and then include it INSIDE AN ANONYMOUS NAMESPACE, so every instantiation has
// internal linkage and code built with one ISA's flags can never be picked by the linker for
// another's (no ODR merging). It includes nothing itself (the including file includes parallel.h and
// <atomic>).
//
// Traits V provide:
//   vec, W (lanes), loadu(p), storeu(p, v), set1(f), add(a, b), mul(a, b), div(a, b), sqrt(a),
//   neg(a)          the sign flipped, as unary minus (-0 for +0; a NaN's sign flips too),
//   fused(x, y, z)  float(double(x) + double(y)·double(z)): the product is exact in double, the sum
//                   rounded to double and then to float, as the scalar variant and the reference;
//   max_nan(a, b)   NaN if either is NaN, else (a > b ? a : b): the scalar variant's Math.max;
//   any_nan(a)      whether some lane of a is NaN.
//
// Numerics: every element goes through the ops of the scalar variant (f32-optim-scalar.cc), in its
// order and with its operand order, so results are bitwise identical to it and to src/ref/optim.ts:
//   - one float32 op on float32 operands (mul, div, sqrt, add) rounds the same in float32 lanes as in
//     double rounded to float, so those run in float32 lanes;
//   - the fused ops (PyTorch's add_ with alpha and addcmul_, which it runs as FMAs) are formed in
//     double lanes, mul then add, and rounded once to float. A float32 fused multiply-add could
//     differ from that in rare ties; a double FMA would agree on numbers but may pick another NaN
//     payload than the scalar's mul and add when several operands are NaN.
// Tails: the last count % W elements of every array are copied into zero-padded W-lane stack
// buffers, updated by the same vector body and copied back: no masked loads, and every element,
// tail or not, sees the same instructions.
// Threads: the elements are cut into blocks of kBlock (a multiple of every W), chunks of ≈1 MB of
// traffic each on the pool (parallel.h; a tensor under one chunk stays on the caller's thread; the
// multi-tensor Adam numbers the blocks of all its tensors together and runs one region).
// Each element's update is independent of every other's, so the split changes no bit.

using vec = V::vec;

constexpr int64_t kBlock = 4096;

// range(begin, end) over [0, n) in blocks; bytes_per_elem is the traffic of one element's update.
template <typename Range>
static void for_blocks(int64_t n, int64_t bytes_per_elem, const Range& range) {
  parallel_for((n + kBlock - 1) / kBlock, grain_for(kBlock * bytes_per_elem), [&](int64_t b, int64_t e) {
    range(b * kBlock, e * kBlock < n ? e * kBlock : n);
  });
}

// The last r < W elements of up to 5 arrays, in stack buffers.
struct Tail {
  float buf[5][V::W];
  int64_t r;
  explicit Tail(int64_t rem) : r(rem) {}
  float* in(int k, const float* src) {
    for (int64_t i = 0; i < V::W; i++) buf[k][i] = i < r ? src[i] : 0.0f;
    return buf[k];
  }
  void out(int k, float* dst) const {
    for (int64_t i = 0; i < r; i++) dst[i] = buf[k][i];
  }
};

// ---- Adam / AdamW (the algebra: keel.h, src/ref/optim.ts adamUpdate) ----------------------------

struct AdamConsts {
  vec b1, b2, omb1, omb2, wd, decay, c2, eps, neg;
  bool decoupled, coupled_decay, maximize, amsgrad;
};

// One vector of W elements in place; vmax is null unless amsgrad.
static inline void adam_vec(float* param, float* m, float* v, float* vmax, const float* grad, const AdamConsts& c) {
  vec th = V::loadu(param), g = V::loadu(grad);
  if (c.maximize) g = V::neg(g);
  if (c.decoupled) th = V::mul(th, c.decay);                // θ·decay
  else if (c.coupled_decay) g = V::fused(g, c.wd, th);       // g + wd·θ
  const vec mi = V::fused(V::mul(V::loadu(m), c.b1), c.omb1, g);               // m·β1 + (1−β1)·g
  const vec vi = V::fused(V::mul(V::loadu(v), c.b2), V::mul(c.omb2, g), g);     // v·β2 + ((1−β2)·g)·g
  V::storeu(m, mi);
  V::storeu(v, vi);
  vec s = vi;
  if (c.amsgrad) {
    s = V::max_nan(V::loadu(vmax), vi);
    V::storeu(vmax, s);
  }
  const vec denom = V::add(V::div(V::sqrt(s), c.c2), c.eps);                    // √v / c2Sqrt + eps
  V::storeu(param, V::add(th, V::div(V::mul(c.neg, mi), denom)));               // θ + (negStep·m) / denom
}

static AdamConsts adam_consts(const keel_adam_params* p) {
  AdamConsts c;
  c.b1 = V::set1(p->beta1), c.b2 = V::set1(p->beta2), c.omb1 = V::set1(p->one_minus_beta1);
  c.omb2 = V::set1(p->one_minus_beta2), c.wd = V::set1(p->weight_decay), c.decay = V::set1(p->decay);
  c.c2 = V::set1(p->c2_sqrt), c.eps = V::set1(p->eps), c.neg = V::set1(p->neg_step);
  c.decoupled = p->decoupled, c.coupled_decay = p->weight_decay != 0.0f, c.maximize = p->maximize;
  c.amsgrad = p->amsgrad;
  return c;
}

// Elements [i, end) of one tensor; vmax is null unless amsgrad.
static void adam_range(float* param, float* m, float* v, float* vmax, const float* grad, const AdamConsts& c,
                       int64_t i, int64_t end) {
  for (; i + V::W <= end; i += V::W) adam_vec(param + i, m + i, v + i, vmax ? vmax + i : nullptr, grad + i, c);
  if (i == end) return;
  Tail t(end - i);
  adam_vec(t.in(0, param + i), t.in(1, m + i), t.in(2, v + i), vmax ? t.in(3, vmax + i) : nullptr, t.in(4, grad + i), c);
  t.out(0, param + i);
  t.out(1, m + i);
  t.out(2, v + i);
  if (vmax) t.out(3, vmax + i);
}

static void adam_update_simd(float* param, float* m, float* v, float* vmax, const float* grad,
                             const keel_adam_params* p) {
  const AdamConsts c = adam_consts(p);
  if (!c.amsgrad) vmax = nullptr;
  for_blocks(p->count, (vmax ? 9 : 7) * (int64_t)sizeof(float), [&](int64_t i, int64_t end) {
    adam_range(param, m, v, vmax, grad, c, i, end);
  });
}

static int64_t blocks_of(int64_t n) { return (n + kBlock - 1) / kBlock; }

// Multi-tensor apply: the blocks of every tensor numbered one after another, one parallel_for over
// all of them. A chunk [b, e) finds its first tensor by walking the block counts (chunks are ≈1 MB,
// so the walk is cheap next to the work, and the kernel needs no table: it must not allocate).
static void adam_update_multi_simd(const keel_adam_tensor* ts, int64_t count) {
  int64_t blocks = 0;
  bool amsgrad = false;
  for (int64_t k = 0; k < count; k++) blocks += blocks_of(ts[k].p.count), amsgrad |= ts[k].p.amsgrad != 0;
  parallel_for(blocks, grain_for(kBlock * (amsgrad ? 9 : 7) * (int64_t)sizeof(float)), [&](int64_t b, int64_t e) {
    int64_t k = 0, first = 0;  // tensor k's blocks are [first, first + blocks_of(count_k))
    while (b >= first + blocks_of(ts[k].p.count)) first += blocks_of(ts[k++].p.count);
    for (; b < e; k++) {
      const keel_adam_tensor& t = ts[k];
      const int64_t nb = blocks_of(t.p.count), stop = first + nb < e ? first + nb : e;
      const int64_t end = (stop - first) * kBlock < t.p.count ? (stop - first) * kBlock : t.p.count;
      adam_range(t.param, t.exp_avg, t.exp_avg_sq, t.p.amsgrad ? t.max_exp_avg_sq : nullptr, t.grad, adam_consts(&t.p),
                 (b - first) * kBlock, end);
      first += nb;
      b = stop;
    }
  });
}

// ---- SGD (the algebra: keel.h, src/ref/optim.ts sgdUpdate) ---------------------------------------

struct SgdConsts {
  vec wd, mu, damp, neg_lr;
  bool decay, maximize, nesterov, first;
};

// One vector of W elements in place; buf is null without momentum.
static inline void sgd_vec(float* param, float* buf, const float* grad, const SgdConsts& c) {
  const vec th = V::loadu(param);
  vec d = V::loadu(grad);
  if (c.maximize) d = V::neg(d);
  if (c.decay) d = V::fused(d, c.wd, th);                                        // d + wd·θ
  if (buf) {
    const vec b = c.first ? d : V::fused(V::mul(V::loadu(buf), c.mu), c.damp, d);  // b·μ + (1−τ)·d
    V::storeu(buf, b);
    d = c.nesterov ? V::fused(d, c.mu, b) : b;                                   // d + μ·b
  }
  V::storeu(param, V::fused(th, c.neg_lr, d));                                   // θ + (−lr)·d
}

static void sgd_update_simd(float* param, float* buf, const float* grad, const keel_sgd_params* p) {
  SgdConsts c;
  c.wd = V::set1(p->weight_decay), c.mu = V::set1(p->momentum), c.damp = V::set1(p->one_minus_dampening);
  c.neg_lr = V::set1(p->neg_lr);
  c.decay = p->weight_decay != 0.0f, c.maximize = p->maximize, c.nesterov = p->nesterov, c.first = p->first_step;
  for_blocks(p->count, (buf ? 5 : 3) * (int64_t)sizeof(float), [&](int64_t i, int64_t end) {
    for (; i + V::W <= end; i += V::W) sgd_vec(param + i, buf ? buf + i : nullptr, grad + i, c);
    if (i == end) return;
    Tail t(end - i);
    sgd_vec(t.in(0, param + i), buf ? t.in(1, buf + i) : nullptr, t.in(2, grad + i), c);
    t.out(0, param + i);
    if (buf) t.out(1, buf + i);
  });
}

// ---- the non-finite gradient scan (keel.h nonfinite_index) ---------------------------------------

// x·0 is ±0 for a finite x and NaN for NaN or ±Inf, and a sum of ±0s is ±0 while one NaN makes it
// NaN: so one NaN test covers 4 vectors. The scan stops at the first block (4 vectors, then single
// vectors) that holds a bad value and leaves the exact index and the last n % W elements to the
// scalar loop.
static int64_t first_nonfinite(const float* x, int64_t n) {
  const vec zero = V::set1(0.0f);
  int64_t i = 0;
  for (; i + 4 * V::W <= n; i += 4 * V::W) {
    const vec a = V::add(V::mul(V::loadu(x + i), zero), V::mul(V::loadu(x + i + V::W), zero));
    const vec b = V::add(V::mul(V::loadu(x + i + 2 * V::W), zero), V::mul(V::loadu(x + i + 3 * V::W), zero));
    if (V::any_nan(V::add(a, b))) break;
  }
  for (; i + V::W <= n; i += V::W)
    if (V::any_nan(V::mul(V::loadu(x + i), zero))) break;
  const keel_eltwise_params rest{n - i};
  const int64_t j = f32_nonfinite_index__scalar(x + i, &rest);
  return j < 0 ? -1 : i + j;
}

// Memory-bound: a gradient of 2 chunks or more (256 KB each: reading is all the scan does) is
// scanned on the pool, since one core's loads reach about half the bandwidth of two. On the Intel
// Xeon of lscpu model 106 (bench:ab, both orders) the scans of a step took 0.64-0.77x as long and
// the MLP's step about 0.9x, more than the scans' own time (probably: the pool's threads are still
// spinning when the Adam update follows).
// The answer is the least index any chunk finds, whatever the split; a chunk that starts past an
// index already found is skipped.
constexpr int64_t kScanChunkBlocks = 16;
static int64_t nonfinite_index_simd(const float* x, const keel_eltwise_params* p) {
  const int64_t n = p->count;
  std::atomic<int64_t> first{n};
  parallel_for((n + kBlock - 1) / kBlock, kScanChunkBlocks, [&](int64_t bb, int64_t be) {
    const int64_t b = bb * kBlock, e = be * kBlock < n ? be * kBlock : n;
    if (b >= first.load(std::memory_order_relaxed)) return;
    const int64_t j = first_nonfinite(x + b, e - b);
    if (j < 0) return;
    int64_t seen = first.load(std::memory_order_relaxed);
    while (b + j < seen && !first.compare_exchange_weak(seen, b + j, std::memory_order_relaxed)) {
    }
  });
  const int64_t at = first.load(std::memory_order_relaxed);
  return at < n ? at : -1;
}
