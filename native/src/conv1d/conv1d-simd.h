// Conv1d SIMD kernels, written once over a vector-traits type `V` and compiled once per ISA:
// f32-conv1d-avx2.cc and f32-conv1d-avx512.cc each define their traits `V` and then include this
// header INSIDE AN ANONYMOUS NAMESPACE, so every instantiation has internal linkage and code built
// with AVX-512 flags can never be picked by the linker for the AVX2 variant (no ODR merging).
//
// Traits V must provide:
//   vec, mask, W (lanes), MR_MAX(nr) (output rows per register tile for nr vectors),
//   NR_MAX (vectors of output positions per tile), DW_MC, DW_NQ (long-kernel backward-weight tile),
//   zero(), loadu(p), loadu_mask(p, m), gather(base, idx(int32[W]), m), storeu(p, v),
//   storeu_mask(p, v, m), bcast(p), set1(f), fma(a, b, c) = a*b + c, add(a, b), hsum(v),
//   mask_range(lo, hi) (lanes lo <= l < hi), mask_bits(bits), transpose(vec[W]) (W x W in place).
//
// Numerics: every output element is a float32 FMA chain in an order fixed by the shape alone:
//   forward / backward-data: one chain over (input channel, tap) ascending, bias added last;
//   backward-weight (k <= 5): one chain per block of (samples x positions), blocks fixed by shape,
//     block sums added in order; (k > 5): per-lane chains over positions, lanes summed in a fixed
//     tree per fixed chunk of samples, chunks added in order;
//   backward-bias: per-lane sums over samples and positions, one fixed tree at the end.
// Work is split into tasks by shape, each computed whole by one thread:
//   forward / backward-data: (sample, group, block of up to kTaskRows output rows);
//   backward-weight: (group, slices of input channels, block of output channels), over all samples;
//   backward-bias: blocks of 8 channels.
// So results are bitwise identical for any thread count (and AVX2 = AVX-512 is not promised).
//
// Loops: a register tile of MR output rows x NR vectors of output positions accumulates
// sum_{c, j} w[m, c, j] * in[c, pos(t, j)], the weight broadcast. At stride 1 the input comes from a
// "panel": per tile of output positions and chunk of input channels, the input span the taps read is
// copied (zero-padded at the borders) into a contiguous stack buffer that all register blocks of the
// task's rows then read from L1 with unaligned loads; a chunk's partial sums wait in `out`. Wider
// spans (long dilated kernels) read the rows in place with masked loads, and stride > 1 (and the
// transposed formula of backward-data with stride > 1) gathers. Forward and backward-data share
// it: backward-data is the same pass over dy with the weight read transposed and tap offsets
// padL - j*d.
// Backward-weight (k <= 5) copies slices of 32 (AVX2: 16) input channels of x, transposed in
// registers, into a zero-padded stack buffer and accumulates with dy broadcast and vectors along
// input channels (dwt_*: no lane sums, no border masks); longer kernels use dw_tile (vectors along
// positions, lane sums per fixed chunk of samples).
//
// Stack use per thread: at most ~130 KB (backward-weight buffers; the forward panel is 16 KB), and
// the calling thread's up to 48 KB of packed weights (pack_weights); no heap, no workspace.

// ---------------------------------------------------------------------------------------------
// Geometry of one "conv-like" pass: out[m, t] = sum_{c < C, j < K} w(m, c, j) * in[c, idx(t, j)]
struct ConvPass {
  const float* in;   // input rows (row c at in + c * in_rs)
  int64_t in_rs;     // row stride of the input
  int64_t in_len;    // valid length of an input row; other positions read as zero
  int64_t C, K;      // reduction channels and taps
  int64_t w_ms, w_cs, w_js;  // weight strides (floats) for output row m, reduction channel c, tap j
  const int64_t* off;  // per tap j: input position = t * stride + off[j] (forward formula) ...
  int64_t stride;
  int transposed;    // ... or, if transposed, position = (t + off[j]) / stride when divisible
  int64_t out_len;   // output row length
};

constexpr int KMAX = 32;  // taps handled by the SIMD paths (masks per tap live on the stack)

enum { MODE_DENSE = 0, MODE_MASKED = 1, MODE_GATHER = 2 };

// Blocks of rows: `rows` split into `count` blocks of at most `most` rows, balanced.
struct RowBlocks {
  int64_t count, base, extra;  // block b has base + (b < extra) rows
  int64_t start(int64_t b) const { return b * base + (b < extra ? b : extra); }
  int size(int64_t b) const { return (int)(base + (b < extra ? 1 : 0)); }
};
static RowBlocks split_rows(int64_t rows, int64_t most) {
  RowBlocks rb;
  rb.count = (rows + most - 1) / most;
  if (rb.count == 0) return RowBlocks{0, 0, 0};
  rb.base = rows / rb.count;
  rb.extra = rows % rb.count;
  return rb;
}
// Register-tile blocks: at most MR_MAX(nr) rows each.
static RowBlocks row_blocks(int64_t rows, int nr) { return split_rows(rows, V::MR_MAX(nr)); }

static int nr_for(int64_t len) {
  const int64_t n = (len + V::W - 1) / V::W;
  return n < 1 ? 1 : n > V::NR_MAX ? V::NR_MAX : (int)n;
}

// Kernel<MR, NR>::run for 1 <= MR <= MR_MAX(NR), 1 <= NR <= NR_MAX, looked up by (mr, nr).
template <template <int, int> class Kernel>
struct TileTable {
  using Fn = decltype(&Kernel<1, 1>::run);
  template <int NR, int... I>
  static Fn row(int mr, std::integer_sequence<int, I...>) {
    static const Fn fns[] = {&Kernel<I + 1, NR>::run...};
    return fns[mr - 1];
  }
  static Fn get(int mr, int nr) {
    switch (nr) {
      case 1: return row<1>(mr, std::make_integer_sequence<int, V::MR_MAX(1)>());
      case 2: return row<2>(mr, std::make_integer_sequence<int, V::MR_MAX(2)>());
      case 3: return row<3>(mr, std::make_integer_sequence<int, V::MR_MAX(3)>());
      default:
        if constexpr (V::NR_MAX >= 4) return row<4>(mr, std::make_integer_sequence<int, V::MR_MAX(4)>());
        return nullptr;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Stride-1 passes (forward; backward-data at stride 1) read their input through a "panel": for
// one tile of output positions [t0, t0 + nr*W) and a chunk of input channels, the input positions
// the taps touch, [t0 + omin, t0 + nr*W + omax), are copied into a contiguous, zero-padded stack
// buffer that every register block of the row block then reads from L1. Read in place, the rows
// would stream from L2 once per register block, their lines aliasing in L1 sets (rows a power of two
// apart), and the borders would need masked loads. Between chunks the accumulators go to `out`
// and come back (exact), so each output element is still one FMA chain over (c, j) ascending.
constexpr int64_t kPanelMax = 4096;     // floats (16 KB) per panel: leaves L1 room for weights, outputs
constexpr int64_t kPanelRowMax = 512;   // longest panel row (floats): wider spans read in place

struct PanelPass {
  const float* panel;    // chunk row c at panel + c * ps; element i is input position t0 + omin + i
  int64_t ps;            // panel row stride (floats, a multiple of W)
  int64_t C, K;          // rows in this chunk, taps
  const int64_t* poff;   // per tap j: off[j] - omin
  int64_t w_ms, w_cs, w_js;
};

// Register tile of MR rows x NR vectors at t0 over one chunk; `first`/`last`: the chunk is the first /
// the final one. KT: the taps when fixed at compile time (unrolled), 0 for any (pp.K). PACKED: w is
// the block's packed weights (pack_weights: w[(c*K + j)*MR + m]), read with one pointer.
template <int MR, int NR, int KT, bool PACKED = false>
struct PanelTile {
  static void run(float* out, int64_t out_rs, int64_t t0, int64_t nvalid, const PanelPass& pp,
                  const float* w, const float* bias, bool first, bool last) {
    const int64_t lastn = nvalid - (int64_t)(NR - 1) * V::W;  // lanes of the last vector, 1..W
    const typename V::mask mt = V::mask_range(0, (int)lastn);
    typename V::vec acc[MR][NR];
#pragma GCC unroll 16
    for (int m = 0; m < MR; m++)
#pragma GCC unroll 8
      for (int v = 0; v < NR; v++) {
        const float* o = out + m * out_rs + t0 + v * V::W;
        acc[m][v] = first ? V::zero() : v == NR - 1 && lastn < V::W ? V::loadu_mask(o, mt) : V::loadu(o);
      }
    const float* wm[MR];
#pragma GCC unroll 16
    for (int m = 0; m < MR; m++) wm[m] = w + m * pp.w_ms;
    const int64_t K = KT ? KT : pp.K;
    const float* wp = w;  // PACKED: the weights of channel c
    for (int64_t c = 0; c < pp.C; c++, wp += K * MR) {
      const float* xr = pp.panel + c * pp.ps;
      const int64_t wo = c * pp.w_cs;
#pragma GCC unroll 4
      for (int64_t j = 0; j < K; j++) {
        typename V::vec xv[NR];
        const float* xp = xr + pp.poff[j];
#pragma GCC unroll 8
        for (int v = 0; v < NR; v++) xv[v] = V::loadu(xp + v * V::W);
        const int64_t wj = wo + j * pp.w_js;
#pragma GCC unroll 16
        for (int m = 0; m < MR; m++) {
          const typename V::vec b = PACKED ? V::bcast(wp + j * MR + m) : V::bcast(wm[m] + wj);
#pragma GCC unroll 8
          for (int v = 0; v < NR; v++) acc[m][v] = V::fma(b, xv[v], acc[m][v]);
        }
      }
    }
#pragma GCC unroll 16
    for (int m = 0; m < MR; m++) {
      float* o = out + m * out_rs + t0;
      const bool add_bias = last && bias;
      const typename V::vec bv = add_bias ? V::set1(bias[m]) : V::zero();
#pragma GCC unroll 8
      for (int v = 0; v < NR; v++) {
        const typename V::vec r = add_bias ? V::add(acc[m][v], bv) : acc[m][v];
        if (v == NR - 1 && lastn < V::W)
          V::storeu_mask(o + v * V::W, r, mt);
        else
          V::storeu(o + v * V::W, r);
      }
    }
  }
};

template <int MR, int NR>
using PanelTileK3 = PanelTile<MR, NR, 3>;
template <int MR, int NR>
using PanelTileAnyK = PanelTile<MR, NR, 0>;
template <int MR, int NR>
using PanelTileK3Packed = PanelTile<MR, NR, 3, true>;

// Copies rows [c0, c0 + nc) of the input, positions [s0, s0 + nv*W), into the panel (zeros outside
// [0, in_len)). pm[v]: the lanes of vector v inside the row; `inside`: all of them are.
static void pack_panel(float* panel, int64_t ps, const ConvPass& p, int64_t c0, int64_t nc, int64_t s0,
                       int64_t nv, const typename V::mask* pm, bool inside) {
  for (int64_t c = 0; c < nc; c++) {
    // The address may lie outside the row; masked-off lanes are never accessed.
    const float* xr =
        (const float*)((uintptr_t)(p.in + (c0 + c) * p.in_rs) + (uintptr_t)(s0 * (int64_t)sizeof(float)));
    float* o = panel + c * ps;
    if (inside)
      for (int64_t v = 0; v < nv; v++) V::storeu(o + v * V::W, V::loadu(xr + v * V::W));
    else
      for (int64_t v = 0; v < nv; v++) V::storeu(o + v * V::W, V::loadu_mask(xr + v * V::W, pm[v]));
  }
}

// conv_rows for stride 1 with a panel row of ps floats (omin: the smallest tap offset); packed: the
// block's rows as pack_weights lays them out, or null.
static void conv_rows_panel(float* out, int64_t out_rs, int mr, const ConvPass& p, const float* wblk,
                            const float* bias, int64_t omin, int64_t span, int64_t ps, const float* packed) {
  const int64_t Lo = p.out_len, W = V::W;
  const int NR = nr_for(Lo);
  int64_t poff[KMAX];
  for (int64_t j = 0; j < p.K; j++) poff[j] = p.off[j] - omin;
  // Chunks of input channels, as many rows as the panel holds, balanced.
  const RowBlocks chunks = split_rows(p.C, kPanelMax / ps);
  const RowBlocks rb = row_blocks(mr, NR);
  alignas(64) float panel[kPanelMax];
  typename V::mask pm[kPanelRowMax / V::W];
  PanelPass pp{panel, ps, 0, p.K, poff, p.w_ms, p.w_cs, p.w_js};
  for (int64_t t0 = 0; t0 < Lo; t0 += NR * W) {
    const int nr = (int)((Lo - t0) >= NR * W ? NR : (Lo - t0 + W - 1) / W);
    const int64_t nvalid = (Lo - t0) < nr * W ? (Lo - t0) : nr * W;
    const int64_t s0 = t0 + omin, nv = (nr * W + span + W - 1) / W;
    bool inside = true;
    for (int64_t v = 0; v < nv; v++) {
      int64_t lo = -(s0 + v * W), hi = p.in_len - (s0 + v * W);
      lo = lo < 0 ? 0 : lo > W ? W : lo;
      hi = hi < 0 ? 0 : hi > W ? W : hi;
      pm[v] = V::mask_range((int)lo, (int)(hi > lo ? hi : lo));
      inside = inside && lo == 0 && hi == W;
    }
    for (int64_t ch = 0; ch < chunks.count; ch++) {
      const int64_t c0 = chunks.start(ch);
      pp.C = chunks.size(ch);
      pack_panel(panel, ps, p, c0, pp.C, s0, nv, pm, inside);
      const bool first = ch == 0, last = ch == chunks.count - 1;
      for (int64_t b = 0; b < rb.count; b++) {
        const int64_t m0 = rb.start(b);
        const int mb = rb.size(b);
        // The common k = 3 unrolled: no tap loop, offsets folded into the addressing (~8% in L1).
        const float* wb = wblk + m0 * p.w_ms + c0 * p.w_cs;
        auto tile = p.K == 3 ? TileTable<PanelTileK3>::get(mb, nr) : TileTable<PanelTileAnyK>::get(mb, nr);
        if (packed) wb = packed + m0 * p.C * p.K + c0 * p.K * mb, tile = TileTable<PanelTileK3Packed>::get(mb, nr);
        tile(out + m0 * out_rs, out_rs, t0, nvalid, pp, wb, bias ? bias + m0 : nullptr, first, last);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the input in place: gathers (stride > 1, transposed), and stride-1 spans too wide for a panel.

constexpr int64_t kPrefetchRows = 8;  // input rows ahead that the dense forward tile prefetches

// Precomputed per tile: masks (and gather indices) per (tap, vector).
struct TileAux {
  typename V::mask m[KMAX * V::NR_MAX];
  alignas(64) int32_t idx[KMAX * V::NR_MAX * V::W];
};

template <int MR, int NR, int MODE>
static void conv_tile(float* out, int64_t out_rs, int64_t t0, int64_t nvalid, const ConvPass& p,
                      const float* wblk, const float* bias, const TileAux* aux) {
  typename V::vec acc[MR][NR];
#pragma GCC unroll 16
  for (int m = 0; m < MR; m++)
#pragma GCC unroll 8
    for (int v = 0; v < NR; v++) acc[m][v] = V::zero();
  const int64_t K = p.K, C = p.C;
  const float* wm[MR];
#pragma GCC unroll 16
  for (int m = 0; m < MR; m++) wm[m] = wblk + m * p.w_ms;
  for (int64_t c = 0; c < C; c++) {
    const float* xr = p.in + c * p.in_rs;
    const int64_t wo = c * p.w_cs;
    if (MODE == MODE_DENSE && c + kPrefetchRows < C) {
      // Rows are a whole row apart, which neither the prefetchers nor L1 (set conflicts at
      // power-of-two row lengths) handle well: pull this tile's lines of a later row ahead of use.
      // Measured on the bench shape: 111 -> ~150 GFLOP/s single thread (distance 8 best of 2..16).
      const char* pf = (const char*)(xr + kPrefetchRows * p.in_rs + t0 + p.off[0]);
#pragma GCC unroll 8
      for (int l = 0; l <= NR * V::W * 4 / 64; l++) _mm_prefetch(pf + l * 64, _MM_HINT_T0);
    }
    for (int64_t j = 0; j < K; j++) {
      typename V::vec xv[NR];
      if (MODE == MODE_DENSE) {
        const float* xp = xr + t0 + p.off[j];
#pragma GCC unroll 8
        for (int v = 0; v < NR; v++) xv[v] = V::loadu(xp + v * V::W);
      } else if (MODE == MODE_MASKED) {
        // The address may lie outside the row; masked-off lanes are never accessed.
        const float* xp = (const float*)((uintptr_t)xr + (uintptr_t)((t0 + p.off[j]) * (int64_t)sizeof(float)));
#pragma GCC unroll 8
        for (int v = 0; v < NR; v++) xv[v] = V::loadu_mask(xp + v * V::W, aux->m[j * NR + v]);
      } else {
#pragma GCC unroll 8
        for (int v = 0; v < NR; v++)
          xv[v] = V::gather(xr, aux->idx + (j * NR + v) * V::W, aux->m[j * NR + v]);
      }
      const int64_t wj = wo + j * p.w_js;
#pragma GCC unroll 16
      for (int m = 0; m < MR; m++) {
        const typename V::vec b = V::bcast(wm[m] + wj);
#pragma GCC unroll 8
        for (int v = 0; v < NR; v++) acc[m][v] = V::fma(b, xv[v], acc[m][v]);
      }
    }
  }
  const int64_t lastn = nvalid - (int64_t)(NR - 1) * V::W;  // lanes of the last vector, 1..W
#pragma GCC unroll 16
  for (int m = 0; m < MR; m++) {
    float* o = out + m * out_rs + t0;
    typename V::vec bv = bias ? V::set1(bias[m]) : V::zero();
#pragma GCC unroll 8
    for (int v = 0; v < NR; v++) {
      typename V::vec r = bias ? V::add(acc[m][v], bv) : acc[m][v];
      if (v == NR - 1 && lastn < V::W)
        V::storeu_mask(o + v * V::W, r, V::mask_range(0, (int)lastn));
      else
        V::storeu(o + v * V::W, r);
    }
  }
}

// Masks/indices of one tile of nr vectors starting at t0.
static void tile_aux(TileAux* aux, int nr, int64_t t0, const ConvPass& p, int mode) {
  for (int64_t j = 0; j < p.K; j++) {
    for (int v = 0; v < nr; v++) {
      const int64_t tv = t0 + (int64_t)v * V::W;
      if (mode == MODE_MASKED) {
        const int64_t s = tv + p.off[j];  // stride 1: lanes l valid while 0 <= s + l < in_len
        int64_t lo = -s, hi = p.in_len - s;
        lo = lo < 0 ? 0 : lo > V::W ? V::W : lo;
        hi = hi < 0 ? 0 : hi > V::W ? V::W : hi;
        aux->m[j * nr + v] = V::mask_range((int)lo, (int)(hi > lo ? hi : lo));
      } else {
        int32_t* id = aux->idx + (j * nr + v) * V::W;
        uint32_t bits = 0;
        for (int l = 0; l < V::W; l++) {
          const int64_t t = tv + l;
          int64_t pos;
          bool ok;
          if (!p.transposed) {
            pos = t * p.stride + p.off[j];
            ok = pos >= 0 && pos < p.in_len;
          } else {
            const int64_t num = t + p.off[j];
            ok = num >= 0 && num % p.stride == 0 && num / p.stride < p.in_len;
            pos = ok ? num / p.stride : 0;
          }
          ok = ok && t < p.out_len;
          id[l] = ok ? (int32_t)pos : 0;
          if (ok) bits |= 1u << l;
        }
        aux->m[j * nr + v] = V::mask_bits(bits);
      }
    }
  }
}

template <int MR, int NR>
struct DirectTile {
  static void run(int mode, float* out, int64_t out_rs, int64_t t0, int64_t nvalid, const ConvPass& p,
                  const float* wblk, const float* bias, const TileAux* aux) {
    if (mode == MODE_DENSE) conv_tile<MR, NR, MODE_DENSE>(out, out_rs, t0, nvalid, p, wblk, bias, aux);
    else if (mode == MODE_MASKED) conv_tile<MR, NR, MODE_MASKED>(out, out_rs, t0, nvalid, p, wblk, bias, aux);
    else conv_tile<MR, NR, MODE_GATHER>(out, out_rs, t0, nvalid, p, wblk, bias, aux);
  }
};

// One register block of mr <= MR_MAX(nr_for(out_len)) rows over the whole output length, in place.
static void conv_rows_direct(float* out, int64_t out_rs, int mr, const ConvPass& p, const float* wblk,
                             const float* bias) {
  TileAux aux;
  const int64_t Lo = p.out_len, W = V::W;
  const int NR = nr_for(Lo);
  auto run = [&](int mode, int nr, int64_t t0) {
    const int64_t nvalid = (Lo - t0) < nr * W ? (Lo - t0) : nr * W;
    if (mode != MODE_DENSE) tile_aux(&aux, nr, t0, p, mode);
    TileTable<DirectTile>::get(mr, nr)(mode, out, out_rs, t0, nvalid, p, wblk, bias, &aux);
  };
  if (p.stride != 1 || p.transposed) {
    for (int64_t t0 = 0; t0 < Lo; t0 += NR * W) {
      const int64_t rem = Lo - t0;
      run(MODE_GATHER, (int)(rem >= NR * W ? NR : (rem + W - 1) / W), t0);
    }
    return;
  }
  // Stride 1: positions [t_lo, t_hi) read only inside the row for every tap.
  int64_t omin = p.off[0], omax = p.off[0];
  for (int64_t j = 1; j < p.K; j++) {
    omin = p.off[j] < omin ? p.off[j] : omin;
    omax = p.off[j] > omax ? p.off[j] : omax;
  }
  const int64_t t_lo = omin < 0 ? -omin : 0;
  int64_t t_hi = p.in_len - omax;
  if (t_hi > Lo) t_hi = Lo;
  int64_t t = 0;
  const int64_t left_end = t_lo < Lo ? t_lo : Lo;
  while (t < left_end) {
    // A masked tile costs what a dense one does (zero-masking loads), so make it full width
    // (short rows such as the backbone's L = 30 then take one 2-vector tile, not two 1-vector ones).
    const int64_t need = (Lo - t + W - 1) / W;
    const int nr = (int)(need < NR ? need : NR);
    run(MODE_MASKED, nr, t);
    t += nr * W;
  }
  while (t + W <= t_hi) {
    const int64_t fit = (t_hi - t) / W;
    const int nr = (int)(fit < NR ? fit : NR);
    run(MODE_DENSE, nr, t);
    t += nr * W;
  }
  while (t < Lo) {
    const int64_t need = (Lo - t + W - 1) / W;
    const int nr = (int)(need < NR ? need : NR);
    run(MODE_MASKED, nr, t);
    t += nr * W;
  }
}

// Whether a pass reads its input through panels (stride 1, a panel row of at most kPanelRowMax
// floats; C = 0 has no chunks, and the direct path writes bias / zeros), and their geometry.
static bool panel_geometry(const ConvPass& p, int64_t* omin, int64_t* span, int64_t* ps) {
  if (p.stride != 1 || p.transposed || p.C <= 0) return false;
  int64_t lo = p.off[0], hi = p.off[0];
  for (int64_t j = 1; j < p.K; j++) {
    lo = p.off[j] < lo ? p.off[j] : lo;
    hi = p.off[j] > hi ? p.off[j] : hi;
  }
  *omin = lo, *span = hi - lo, *ps = (nr_for(p.out_len) * V::W + *span + V::W - 1) / V::W * V::W;
  return *ps <= kPanelRowMax;
}

// One block of `mr` output rows (any number) over the whole output length. Every panel is reused by
// all the block's rows, so blocks of task_blocks() rows run ~1.3x faster (bench shape) than blocks
// of one register tile (row_blocks()), which only match the speed of reading rows in place.
static void conv_rows(float* out, int64_t out_rs, int mr, const ConvPass& p, const float* wblk,
                      const float* bias, const float* packed = nullptr) {
  const int NR = nr_for(p.out_len);
  int64_t omin, span, ps;
  if (panel_geometry(p, &omin, &span, &ps)) return conv_rows_panel(out, out_rs, mr, p, wblk, bias, omin, span, ps, packed);
  const RowBlocks rb = row_blocks(mr, NR);
  for (int64_t b = 0; b < rb.count; b++) {
    const int64_t m0 = rb.start(b);
    conv_rows_direct(out + m0 * out_rs, out_rs, rb.size(b), p, wblk + m0 * p.w_ms, bias ? bias + m0 : nullptr);
  }
}

// Pulls `floats` floats at p into the caches, one prefetch per 64-byte line (to be written, for
// prefetch_span_w). The training passes call them for what they touch next (forward with statistics:
// the next sample's input, and its output rows for writing; backward-weight with whole rows: the next
// block's x and dy rows, one sample per sample filled): in a training step these come from memory
// (the step's ~30 MB do not stay in the caches), and a sample's rows (1.7-7.5 KB in the backbone) are
// too short and too far apart for the hardware prefetchers. Measured in the backbone's step (Zen 5,
// 2 threads, npm run bench:ab; the range is the host's, busier or quieter): backward-weight 4-16%
// faster, the forward with statistics 1-8% (into L2 only, locality 2, gave half that); its output
// fetched for writing did not speed it up but made the fused forward that reads it next 15-24%
// faster. The price: a pass repeated on data already in L3 runs ~7% slower (backward-weight at the
// step's shapes), which only a benchmark does. The forward, backward-data and eval passes gained
// nothing in the step (and eval, whose activations stay in the caches, lost 2-3%): no prefetch.
// On the Intel Xeon (bench:ab, one run each): backward-weight prefetching into L2 only ran 0.978, no
// more than the noise; the forward with statistics without its output prefetch ran 0.952, the fused
// forward after it 0.997 and the step 0.992, too little against Zen 5's 15-24% to drop it.
static inline void prefetch_span(const float* p, int64_t floats) {
  for (int64_t i = 0; i < floats; i += 16) __builtin_prefetch(p + i, 0, 3);
}
static inline void prefetch_span_w(float* p, int64_t floats) {
  for (int64_t i = 0; i < floats; i += 16) __builtin_prefetch(p + i, 1, 3);
}

// Tasks of roughly >= 256 KFLOP per chunk handed to a thread.
static int64_t grain_for_flops(double task_flops) {
  const double target = 262144.0;
  if (task_flops >= target) return 1;
  return (int64_t)(target / (task_flops > 1.0 ? task_flops : 1.0)) + 1;
}

// Rows per forward / backward-data task: each panel is reused by all of them (64: measured on the
// bench shape, 1.3x over one register block per task; 128 only ~1% more, with half the tasks).
constexpr int64_t kTaskRows = 64;
static RowBlocks task_blocks(int64_t rows) { return split_rows(rows, kTaskRows); }

// The weights of a pass's `rows` output rows, packed for the K = 3 panel tiles: the register block
// of mb rows at row m0 (task_blocks, then row_blocks within each, as conv_rows_panel cuts them) goes
// to dst + m0*C*3, channel by channel and tap by tap: dst[m0*C*3 + (c*3 + j)*mb + m]. Read in place,
// a block's MR rows take MR pointers, more than x86-64 has registers for beside the tile's own: GCC
// spilled them and shuffled accumulators, and the backbone's 10-11 x 2 tiles (rows of 30) ran at
// ~61% of the FMA peak (Intel Xeon, lscpu model 106, one thread). Packed, one pointer walks them.
// Packed once per call on the caller's stack, read by every task; false (nothing packed) unless
// K = 3, the panel path and at most kPackedMax floats.
constexpr int64_t kPackedMax = 12288;  // floats (48 KB): the backbone's 64 x 64 x 3
static bool pack_weights(float* dst, const ConvPass& p, const float* w, int64_t rows) {
  int64_t omin, span, ps;
  if (p.K != 3 || rows * p.C * 3 > kPackedMax || !panel_geometry(p, &omin, &span, &ps)) return false;
  const RowBlocks tb = task_blocks(rows);
  for (int64_t t = 0; t < tb.count; t++) {
    const RowBlocks rb = row_blocks(tb.size(t), nr_for(p.out_len));
    for (int64_t b = 0; b < rb.count; b++) {
      const int64_t m0 = tb.start(t) + rb.start(b);
      const int mb = rb.size(b);
      float* d = dst + m0 * p.C * 3;
      for (int m = 0; m < mb; m++)
        for (int64_t c = 0; c < p.C; c++)
          for (int64_t j = 0; j < 3; j++) d[(c * 3 + j) * mb + m] = w[(m0 + m) * p.w_ms + c * p.w_cs + j * p.w_js];
    }
  }
  return true;
}

static bool simd_ok(const keel_conv1d_params* p) {
  const int64_t Lout = keel_conv1d_out_length(p);
  return p->kernel_size <= KMAX && p->in_length < (int64_t)1 << 30 && Lout < (int64_t)1 << 30 &&
         p->in_length * p->stride < (int64_t)1 << 30;
}

// The ConvPass of the forward for sample n, group g (also used by conv1d-stats-simd.h's epilogue drivers).
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

static void conv1d_forward_simd(float* y, const float* x, const float* w, const float* bias,
                                const keel_conv1d_params* p) {
  const int64_t N = p->batch, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  if (N == 0 || Lout == 0 || p->out_channels == 0) return;
  int64_t off[KMAX];
  for (int64_t j = 0; j < K; j++) off[j] = j * p->dilation - p->pad_left;
  const RowBlocks rb = task_blocks(cout_g);
  const int64_t tasks = N * G * rb.count;
  const double tflops = 2.0 * (double)(cout_g / (rb.count ? rb.count : 1) + 1) * cin_g * K * Lout;
  alignas(64) float wpk[kPackedMax];
  const bool packed = G == 1 && pack_weights(wpk, forward_pass(x, p, off, 0, 0), w, cout_g);
  parallel_for(tasks, grain_for_flops(tflops), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t blk = task % rb.count, ng = task / rb.count, g = ng % G, n = ng / G;
      const int64_t co0 = g * cout_g + rb.start(blk);
      conv_rows(y + (n * p->out_channels + co0) * Lout, Lout, rb.size(blk), forward_pass(x, p, off, n, g),
                w + co0 * cin_g * K, bias ? bias + co0 : nullptr, packed ? wpk + co0 * cin_g * K : nullptr);
    }
  });
}

// The ConvPass of backward-data for sample n, group g: dy's rows in, dx's rows out.
static ConvPass backward_data_pass(const float* dy, const keel_conv1d_params* p, const int64_t* off, int64_t n,
                                   int64_t g) {
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G, K = p->kernel_size;
  const int64_t Lout = keel_conv1d_out_length(p);
  ConvPass cp;
  cp.in = dy + (n * p->out_channels + g * cout_g) * Lout;
  cp.in_rs = Lout;
  cp.in_len = Lout;
  cp.C = cout_g;
  cp.K = K;
  cp.off = off;
  cp.stride = p->stride;
  cp.transposed = p->stride != 1;
  cp.out_len = p->in_length;
  // w[co, ci0 + m, j]: the rows of a block lie K floats apart, so the weights one (co, j)
  // step of a register tile broadcasts share a line or two.
  cp.w_ms = K;
  cp.w_cs = cin_g * K;
  cp.w_js = 1;
  return cp;
}

static void conv1d_backward_data_simd(float* dx, const float* dy, const float* w,
                                      const keel_conv1d_params* p) {
  const int64_t N = p->batch, L = p->in_length, K = p->kernel_size;
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  if (N == 0 || L == 0 || p->in_channels == 0) return;
  int64_t off[KMAX];
  // dx[u] = sum_{co, j} w[co, ci, j] * dy[co, (u + padL - j*d) / s]  (when divisible and in range)
  for (int64_t j = 0; j < K; j++) off[j] = p->pad_left - j * p->dilation;
  const RowBlocks rb = task_blocks(cin_g);
  const int64_t tasks = N * G * rb.count;
  const double tflops = 2.0 * (double)(cin_g / (rb.count ? rb.count : 1) + 1) * cout_g * K * L;
  alignas(64) float wpk[kPackedMax];
  const bool packed = G == 1 && pack_weights(wpk, backward_data_pass(dy, p, off, 0, 0), w, cin_g);
  parallel_for(tasks, grain_for_flops(tflops), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t blk = task % rb.count, ng = task / rb.count, g = ng % G, n = ng / G;
      const int64_t ci0 = rb.start(blk);
      conv_rows(dx + (n * p->in_channels + g * cin_g + ci0) * L, L, rb.size(blk), backward_data_pass(dy, p, off, n, g),
                w + (g * cout_g * cin_g + ci0) * K, nullptr, packed ? wpk + ci0 * cout_g * K : nullptr);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Backward-weight: dw[co, q] (q = ci*K + j) = sum_{n, t} dy[n, co, t] * x[n, ci, t*s + off_j].
// Register tile MC output channels x NQ columns q, vectors along t holding per-lane partial sums;
// per chunk of samples (fixed by shape) the lanes are summed and added to dw in chunk order.
constexpr int DW_EDGE_MAX = 32;  // border/tail steps whose masks are precomputed per call

struct DwPass {
  const float* x;
  const float* dy;
  int64_t N, cin, cout, L, Lout, K, stride;
  const int64_t* off;
  // Stride 1: steps (of W positions) [s_lo, s_hi) read inside x for every tap and are full; the
  // other ("edge") steps use masks precomputed per call: edge e's dy mask and per-tap x masks.
  int64_t nsteps, s_lo, s_hi;
  typename V::mask mt[DW_EDGE_MAX];
  typename V::mask mx[DW_EDGE_MAX][KMAX];
};

// Stride 1: edge e <-> step.
static int64_t dw_edge_index(const DwPass& p, int64_t step) { return step < p.s_lo ? step : p.s_lo + (step - p.s_hi); }

template <int MC, int NQ>
static void dw_tile_dense(float* dw, int64_t dw_rs, bool first, const DwPass& p, int64_t n0, int64_t n1,
                          int64_t co, int64_t ci_g0, int64_t q0) {
  typename V::vec acc[MC][NQ];
#pragma GCC unroll 16
  for (int a = 0; a < MC; a++)
#pragma GCC unroll 8
    for (int b = 0; b < NQ; b++) acc[a][b] = V::zero();
  int64_t qoff[NQ], qci[NQ], qj[NQ];
  for (int b = 0; b < NQ; b++) {
    qci[b] = (q0 + b) / p.K;
    qj[b] = (q0 + b) % p.K;
    qoff[b] = p.off[qj[b]];
  }
  const int64_t W = V::W;
  for (int64_t n = n0; n < n1; n++) {
    const float* dyr[MC];
    const float* xr[NQ];
#pragma GCC unroll 16
    for (int a = 0; a < MC; a++) dyr[a] = p.dy + (n * p.cout + co + a) * p.Lout;
#pragma GCC unroll 8
    for (int b = 0; b < NQ; b++) xr[b] = p.x + (n * p.cin + ci_g0 + qci[b]) * p.L + qoff[b];
    for (int64_t step = 0; step < p.nsteps; step++) {
      const int64_t t = step * W;
      typename V::vec d[MC];
      if (step >= p.s_lo && step < p.s_hi) {
#pragma GCC unroll 16
        for (int a = 0; a < MC; a++) d[a] = V::loadu(dyr[a] + t);
#pragma GCC unroll 8
        for (int b = 0; b < NQ; b++) {
          const typename V::vec xv = V::loadu(xr[b] + t);
#pragma GCC unroll 16
          for (int a = 0; a < MC; a++) acc[a][b] = V::fma(d[a], xv, acc[a][b]);
        }
      } else {
        const int64_t e = dw_edge_index(p, step);
#pragma GCC unroll 16
        for (int a = 0; a < MC; a++) d[a] = V::loadu_mask(dyr[a] + t, p.mt[e]);
#pragma GCC unroll 8
        for (int b = 0; b < NQ; b++) {
          // The address may lie outside the row; masked-off lanes are never accessed.
          const float* xp = (const float*)((uintptr_t)xr[b] + (uintptr_t)(t * (int64_t)sizeof(float)));
          const typename V::vec xv = V::loadu_mask(xp, p.mx[e][qj[b]]);
#pragma GCC unroll 16
          for (int a = 0; a < MC; a++) acc[a][b] = V::fma(d[a], xv, acc[a][b]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int a = 0; a < MC; a++)
#pragma GCC unroll 8
    for (int b = 0; b < NQ; b++) {
      const float s = V::hsum(acc[a][b]);
      float* o = dw + a * dw_rs + q0 + b;
      *o = first ? s : *o + s;
    }
}

// Any stride (and stride-1 shapes with too many edge steps): per-lane gathers, masks built per step.
template <int MC, int NQ>
static void dw_tile_gather(float* dw, int64_t dw_rs, bool first, const DwPass& p, int64_t n0, int64_t n1,
                           int64_t co, int64_t ci_g0, int64_t q0) {
  typename V::vec acc[MC][NQ];
  for (int a = 0; a < MC; a++)
    for (int b = 0; b < NQ; b++) acc[a][b] = V::zero();
  int64_t qoff[NQ], qci[NQ];
  for (int b = 0; b < NQ; b++) {
    qci[b] = (q0 + b) / p.K;
    qoff[b] = p.off[(q0 + b) % p.K];
  }
  const int64_t W = V::W;
  for (int64_t n = n0; n < n1; n++) {
    for (int64_t t = 0; t < p.Lout; t += W) {
      const int64_t tv = p.Lout - t < W ? p.Lout - t : W;
      const typename V::mask mt = V::mask_range(0, (int)tv);
      typename V::vec d[MC];
      for (int a = 0; a < MC; a++) d[a] = V::loadu_mask(p.dy + (n * p.cout + co + a) * p.Lout + t, mt);
      for (int b = 0; b < NQ; b++) {
        alignas(64) int32_t id[V::W];
        uint32_t bits = 0;
        for (int l = 0; l < V::W; l++) {
          const int64_t pos = (t + l) * p.stride + qoff[b];
          const bool ok = l < tv && pos >= 0 && pos < p.L;
          id[l] = ok ? (int32_t)pos : 0;
          if (ok) bits |= 1u << l;
        }
        const typename V::vec xv = V::gather(p.x + (n * p.cin + ci_g0 + qci[b]) * p.L, id, V::mask_bits(bits));
        for (int a = 0; a < MC; a++) acc[a][b] = V::fma(d[a], xv, acc[a][b]);
      }
    }
  }
#pragma GCC unroll 16
  for (int a = 0; a < MC; a++)
#pragma GCC unroll 8
    for (int b = 0; b < NQ; b++) {
      const float s = V::hsum(acc[a][b]);
      float* o = dw + a * dw_rs + q0 + b;
      *o = first ? s : *o + s;
    }
}

template <int MC, int NQ>
static void dw_tile(float* dw, int64_t dw_rs, bool first, const DwPass& p, int64_t n0, int64_t n1,
                    int64_t co, int64_t ci_g0, int64_t q0) {
  if (p.stride == 1 && p.s_lo + (p.nsteps - p.s_hi) <= DW_EDGE_MAX)
    dw_tile_dense<MC, NQ>(dw, dw_rs, first, p, n0, n1, co, ci_g0, q0);
  else
    dw_tile_gather<MC, NQ>(dw, dw_rs, first, p, n0, n1, co, ci_g0, q0);
}

using DwFn = void (*)(float*, int64_t, bool, const DwPass&, int64_t, int64_t, int64_t, int64_t, int64_t);

template <int MC, int... I>
static DwFn dw_row(int nq, std::integer_sequence<int, I...>) {
  static const DwFn fns[] = {dw_tile<MC, I + 1>...};
  return fns[nq - 1];
}
template <int... I>
static DwFn dw_fn_impl(int mc, int nq, std::integer_sequence<int, I...>) {
  using Row = DwFn (*)(int, std::make_integer_sequence<int, V::DW_NQ>);
  static const Row rows[] = {dw_row<I + 1>...};
  return rows[mc - 1](nq, std::make_integer_sequence<int, V::DW_NQ>());
}
static DwFn dw_fn(int mc, int nq) { return dw_fn_impl(mc, nq, std::make_integer_sequence<int, V::DW_MC>()); }

// ---------------------------------------------------------------------------------------------
// Backward-weight, transposed form (taps K in 1..5): vectors run along input channels instead of
// positions, so no lane sums and no border masks. Per task (group, slices of CIV*W input
// channels, block of output channels) and per block of samples x positions, the slice of x is
// transposed into a zero-padded stack buffer xT[sample][padded position][channel]; then
//   stage[co][j][ci] += sum_t dy[n, co, t] * xT[n][t*s + j*d][ci]
// with dy broadcast: a register tile of MC output channels x K taps x CIV vectors. Each
// element's sum runs over samples then positions in order, fixed by shape.
// A slice is CIV = 2 vectors of channels, or 1 when a group has at most W input channels (the
// backbone's first layer: 14 channels filled 14 of 32 AVX-512 lanes, 37% of the FMA peak). The
// blocking of samples and positions (dwt_plan) is the 2-vector form's in both, so every element sums
// the same terms in the same order whatever CIV: the same bits.
constexpr int64_t DWT_XT_MAX = 8192;     // floats in the xT buffer (32 KB)
constexpr int64_t DWT_STAGE_MAX = 24576;  // floats in the stage buffer (96 KB), all slices of a task
constexpr int64_t DWT_SLICE_STAGE_MAX = 12288;  // floats of one slice's stage (48 KB)
constexpr int64_t DWT_PLAN_CIP = 2 * V::W;     // channels per xT row that dwt_plan's blocking assumes

template <int KT, int CIV>
constexpr int dwt_mc() {
  return V::W == 16 ? 24 / (KT * CIV) : 12 / (KT * CIV) > 0 ? 12 / (KT * CIV) : 1;
}

template <int MC, int KT, int CIV>
static void dwt_tile(float* stage, bool first, const float* xT, int64_t nb, int64_t xt_ns, const float* dy,
                     int64_t dy_ns, int64_t dy_rs, int64_t tcount, int64_t s, int64_t d) {
  constexpr int64_t CIP = CIV * V::W;
  typename V::vec acc[MC][KT][CIV];
#pragma GCC unroll 16
  for (int a = 0; a < MC; a++)
#pragma GCC unroll 8
    for (int j = 0; j < KT; j++)
#pragma GCC unroll 4
      for (int v = 0; v < CIV; v++) acc[a][j][v] = V::zero();
  for (int64_t nl = 0; nl < nb; nl++) {
    const float* xs = xT + nl * xt_ns;
    const float* ds = dy + nl * dy_ns;
    for (int64_t tt = 0; tt < tcount; tt++) {
      const float* xr = xs + tt * s * CIP;
      typename V::vec b[MC];
#pragma GCC unroll 16
      for (int a = 0; a < MC; a++) b[a] = V::bcast(ds + a * dy_rs + tt);
#pragma GCC unroll 8
      for (int j = 0; j < KT; j++)
#pragma GCC unroll 4
        for (int v = 0; v < CIV; v++) {
          const typename V::vec xv = V::loadu(xr + j * d * CIP + v * V::W);
#pragma GCC unroll 16
          for (int a = 0; a < MC; a++) acc[a][j][v] = V::fma(b[a], xv, acc[a][j][v]);
        }
    }
  }
#pragma GCC unroll 16
  for (int a = 0; a < MC; a++)
#pragma GCC unroll 8
    for (int j = 0; j < KT; j++)
#pragma GCC unroll 4
      for (int v = 0; v < CIV; v++) {
        float* o = stage + (a * KT + j) * CIP + v * V::W;
        V::storeu(o, first ? acc[a][j][v] : V::add(V::loadu(o), acc[a][j][v]));
      }
}

using DwtFn = void (*)(float*, bool, const float*, int64_t, int64_t, const float*, int64_t, int64_t, int64_t,
                       int64_t, int64_t);
template <int KT, int CIV, int... I>
static DwtFn dwt_fn_k(int mc, std::integer_sequence<int, I...>) {
  static const DwtFn fns[] = {dwt_tile<I + 1, KT, CIV>...};
  return fns[mc - 1];
}
template <int CIV>
static DwtFn dwt_fn(int mc, int64_t K) {
  switch (K) {
    case 1: return dwt_fn_k<1, CIV>(mc, std::make_integer_sequence<int, dwt_mc<1, CIV>()>());
    case 2: return dwt_fn_k<2, CIV>(mc, std::make_integer_sequence<int, dwt_mc<2, CIV>()>());
    case 3: return dwt_fn_k<3, CIV>(mc, std::make_integer_sequence<int, dwt_mc<3, CIV>()>());
    case 4: return dwt_fn_k<4, CIV>(mc, std::make_integer_sequence<int, dwt_mc<4, CIV>()>());
    default: return dwt_fn_k<5, CIV>(mc, std::make_integer_sequence<int, dwt_mc<5, CIV>()>());
  }
}
template <int CIV>
static int dwt_mc_for(int64_t K) {
  switch (K) {
    case 1: return dwt_mc<1, CIV>();
    case 2: return dwt_mc<2, CIV>();
    case 3: return dwt_mc<3, CIV>();
    case 4: return dwt_mc<4, CIV>();
    default: return dwt_mc<5, CIV>();
  }
}

// xT[row][ci] = xs[ci * L + s0 + row] for rows [0, r), channels [0, CIV*W): zero outside positions
// [0, L) and for channels >= nci. Each W x W block is read as W row vectors and transposed in registers.
template <int CIV>
static void dwt_fill(float* xT, const float* xs, int64_t L, int64_t nci, int64_t s0, int64_t r) {
  const int64_t W = V::W;
  for (int64_t r0 = 0; r0 < r; r0 += W) {
    const int64_t a = s0 + r0;  // positions a + l, lanes l < W
    int64_t lo = -a, hi = L - a;
    lo = lo < 0 ? 0 : lo > W ? W : lo;
    hi = hi < 0 ? 0 : hi > W ? W : hi;
    const typename V::mask m = V::mask_range((int)lo, (int)(hi > lo ? hi : lo));
    const int64_t nrow = r - r0 < W ? r - r0 : W;
    for (int v = 0; v < CIV; v++) {
      typename V::vec b[V::W];
#pragma GCC unroll 16
      for (int i = 0; i < V::W; i++) {
        const int64_t ci = v * W + i;
        // The address may lie outside the row; masked-off lanes are never accessed.
        const float* xp =
            (const float*)((uintptr_t)(xs + (ci < nci ? ci : 0) * L) + (uintptr_t)(a * (int64_t)sizeof(float)));
        b[i] = ci < nci ? V::loadu_mask(xp, m) : V::zero();
      }
      V::transpose(b);
      for (int64_t l = 0; l < nrow; l++) V::storeu(xT + (r0 + l) * CIV * W + v * W, b[l]);
    }
  }
}

// Whether the transposed form applies, and its blocking: tb positions and nb samples per block.
static bool dwt_plan(const keel_conv1d_params* p, int64_t Lout, int64_t* tb, int64_t* nb) {
  const int64_t K = p->kernel_size, span = (K - 1) * p->dilation;
  if (K < 1 || K > 5) return false;
  const int64_t rows_max = DWT_XT_MAX / DWT_PLAN_CIP;  // padded positions in the buffer
  // positions per block: rows = (tb - 1) * s + span + 1 <= rows_max, tb <= 128
  if (span + 1 > rows_max) return false;
  int64_t t = (rows_max - span - 1) / p->stride + 1;
  if (t > 128) t = 128;
  if (t > Lout) t = Lout;
  if (t < 1) return false;
  *tb = t;
  const int64_t rows = (t - 1) * p->stride + span + 1;
  int64_t n = t == Lout ? rows_max / rows : 1;  // whole rows: several samples per block
  if (n < 1) n = 1;
  if (n > p->batch) n = p->batch;
  *nb = n;
  return true;
}

template <int CIV>
static void conv1d_backward_weight_dwt(float* dw, const float* x, const float* dy, const keel_conv1d_params* p,
                                       int64_t tb, int64_t nbs) {
  constexpr int64_t CIP = CIV * V::W;  // channels per slice
  const int64_t N = p->batch, L = p->in_length, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  const int64_t s = p->stride, d = p->dilation, padL = p->pad_left;
  const int64_t slices = (cin_g + CIP - 1) / CIP;
  const int MC = dwt_mc_for<CIV>(K);
  // Output-channel blocks: each block re-reads and transposes its x slices, so make them large: up to
  // 64 channels (a larger stage no longer stays in L1 beside xT) and a slice's stage buffer, a
  // multiple of MC. Slices per task: as many as the stage holds, since each task re-reads dy for
  // its block of output channels (memory traffic); halved, then the blocks, while the pass has
  // fewer than 8 tasks (with fewer, one thread held up elsewhere holds up the pass: on the bench
  // shape at 2 threads on a busy machine, 4 tasks of 2 slices ran ~5% slower than 8 of one), but
  // never to blocks under 32 channels: the backbone's 64-channel layers (2 slices) got 8 tasks from
  // blocks of 16, whose 4 tile calls per transposed slice left the transposes (shuffles, which share
  // the FMA port on Intel) a quarter of the work; at 32 (4 tasks) the pass ran 11-12% faster and
  // the training step 2% (Intel Xeon, 2 threads, npm run bench:ab, two runs). Blocks of 64 there (2
  // tasks, each reading its x slice once) changed nothing: 1.006.
  int64_t cb = cout_g < 64 ? cout_g : 64;
  const int64_t cb_max = DWT_SLICE_STAGE_MAX / (K * CIP);
  if (cb > cb_max) cb = cb_max;
  int64_t sg = DWT_STAGE_MAX / (cb * K * CIP);
  if (sg > slices) sg = slices;
  auto tasks_for = [&](int64_t c, int64_t sgsz) {
    return G * ((slices + sgsz - 1) / sgsz) * ((cout_g + c - 1) / c);
  };
  while (sg > 1 && tasks_for(cb, sg) < 8) sg = (sg + 1) / 2;
  while (cb > 32 && tasks_for(cb, sg) < 8) cb = (cb + 1) / 2;
  cb = cb / MC * MC;
  if (cb < MC) cb = MC;
  const int64_t cblocks = (cout_g + cb - 1) / cb, sgroups = (slices + sg - 1) / sg;
  const int64_t sl_stage = cb * K * CIP;  // floats of one slice's stage
  const int64_t rows = (tb - 1) * s + (K - 1) * d + 1;
  const int64_t xt_ns = rows * CIP;
  const DwtFn full = dwt_fn<CIV>(MC, K);
  // Tasks in (group, slice group, block) order. Ordering them blocks first, so that a thread reads
  // the dy channels it wrote in the fused BatchNorm backward (split by channels), changed nothing in
  // the backbone's training step (0.995; nor did running backward-weight before backward-data: 1.009;
  // Intel Xeon, bench:ab).
  parallel_for(G * sgroups * cblocks, 1, [&](int64_t b, int64_t e) {
    alignas(64) float xT[DWT_XT_MAX];
    alignas(64) float stage[DWT_STAGE_MAX];
    for (int64_t task = b; task < e; task++) {
      const int64_t cbk = task % cblocks, gs = task / cblocks, sgi = gs % sgroups, g = gs / sgroups;
      const int64_t sl0 = sgi * sg, nsl = slices - sl0 < sg ? slices - sl0 : sg;
      const int64_t co0 = cbk * cb, nco = cout_g - co0 < cb ? cout_g - co0 : cb;
      bool first = true;
      for (int64_t n0 = 0; n0 < N; n0 += nbs) {
        const int64_t nb = N - n0 < nbs ? N - n0 : nbs;
        for (int64_t t0 = 0; t0 < Lout; t0 += tb) {
          const int64_t tc = Lout - t0 < tb ? Lout - t0 : tb;
          const int64_t r = (tc - 1) * s + (K - 1) * d + 1;
          for (int64_t k = 0; k < nsl; k++) {
            const int64_t ci0 = (sl0 + k) * CIP, nci = cin_g - ci0 < CIP ? cin_g - ci0 : CIP;
            // xT[nl][row][ci] = x[n0 + nl, g*cin_g + ci0 + ci, t0*s - padL + row] (0 outside)
            for (int64_t nl = 0; nl < nb; nl++) {
              const int64_t ahead = n0 + nb + nl;  // whole rows: the same sample of the next block
              if (tb == Lout && ahead < N) {
                prefetch_span(x + (ahead * p->in_channels + g * cin_g + ci0) * L, nci * L);
                if (k == 0) prefetch_span(dy + (ahead * p->out_channels + g * cout_g + co0) * Lout, nco * Lout);
              }
              dwt_fill<CIV>(xT + nl * xt_ns, x + ((n0 + nl) * p->in_channels + g * cin_g + ci0) * L, L, nci, t0 * s - padL, r);
            }
            for (int64_t co = 0; co < nco; co += MC) {
              const int mc = (int)(nco - co < MC ? nco - co : MC);
              const DwtFn fn = mc == MC ? full : dwt_fn<CIV>(mc, K);
              fn(stage + k * sl_stage + co * K * CIP, first, xT, nb, xt_ns,
                 dy + (n0 * p->out_channels + g * cout_g + co0 + co) * Lout + t0, p->out_channels * Lout, Lout, tc, s,
                 d);
            }
          }
          first = false;
        }
      }
      for (int64_t k = 0; k < nsl; k++) {
        const int64_t ci0 = (sl0 + k) * CIP, nci = cin_g - ci0 < CIP ? cin_g - ci0 : CIP;
        for (int64_t co = 0; co < nco; co++)
          for (int64_t ci = 0; ci < nci; ci++)
            for (int64_t j = 0; j < K; j++)
              dw[((g * cout_g + co0 + co) * cin_g + ci0 + ci) * K + j] = stage[k * sl_stage + (co * K + j) * CIP + ci];
      }
    }
  });
}

static void conv1d_backward_weight_simd(float* dw, const float* x, const float* dy,
                                        const keel_conv1d_params* p) {
  const int64_t N = p->batch, L = p->in_length, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t G = p->groups, cin_g = p->in_channels / G, cout_g = p->out_channels / G;
  const int64_t Q = cin_g * K, total = p->out_channels * Q;
  if (total == 0) return;
  if (N == 0 || Lout == 0) {
    for (int64_t i = 0; i < total; i++) dw[i] = 0.0f;
    return;
  }
  int64_t tb, nbs;
  if (dwt_plan(p, Lout, &tb, &nbs)) {
    if (cin_g <= V::W) return conv1d_backward_weight_dwt<1>(dw, x, dy, p, tb, nbs);
    return conv1d_backward_weight_dwt<2>(dw, x, dy, p, tb, nbs);
  }
  DwPass dp;
  dp.x = x;
  dp.dy = dy;
  dp.N = N;
  dp.cin = p->in_channels;
  dp.cout = p->out_channels;
  dp.L = L;
  dp.Lout = Lout;
  dp.K = K;
  dp.stride = p->stride;
  int64_t off[KMAX];
  int64_t omin = 0, omax = 0;
  for (int64_t j = 0; j < K; j++) {
    off[j] = j * p->dilation - p->pad_left;
    if (j == 0 || off[j] < omin) omin = off[j];
    if (j == 0 || off[j] > omax) omax = off[j];
  }
  dp.off = off;
  {
    const int64_t W = V::W, t_lo = omin < 0 ? -omin : 0;
    const int64_t t_hi = L - omax < Lout ? L - omax : Lout;  // positions < t_hi read inside x
    dp.nsteps = (Lout + W - 1) / W;
    dp.s_lo = (t_lo + W - 1) / W;
    if (dp.s_lo > dp.nsteps) dp.s_lo = dp.nsteps;
    dp.s_hi = t_hi > 0 ? t_hi / W : 0;  // steps s with (s + 1) * W <= t_hi
    if (dp.s_hi < dp.s_lo) dp.s_hi = dp.s_lo;
    if (p->stride == 1 && dp.s_lo + (dp.nsteps - dp.s_hi) <= DW_EDGE_MAX) {
      for (int64_t step = 0; step < dp.nsteps; step++) {
        if (step >= dp.s_lo && step < dp.s_hi) continue;
        const int64_t e = dw_edge_index(dp, step), t = step * W;
        const int64_t tv = Lout - t < W ? Lout - t : W;
        dp.mt[e] = V::mask_range(0, (int)tv);
        for (int64_t j = 0; j < K; j++) {
          const int64_t s0 = t + off[j];
          int64_t lo = -s0, hi = L - s0;
          lo = lo < 0 ? 0 : lo > W ? W : lo;
          hi = hi < 0 ? 0 : hi > tv ? tv : hi;
          dp.mx[e][j] = V::mask_range((int)lo, (int)(hi > lo ? hi : lo));
        }
      }
    }
  }
  // Samples per chunk (lane partial sums are reduced once per chunk): fixed by shape.
  const int64_t chunk = Lout >= 2048 ? 1 : (2048 + Lout - 1) / Lout;
  // Tasks: (group, block of output channels) with about a quarter of a group's channels each.
  const int64_t MC = V::DW_MC;
  int64_t cb = (cout_g + 3) / 4;
  cb = (cb + MC - 1) / MC * MC;
  if (cb < MC) cb = MC;
  const int64_t nblk = (cout_g + cb - 1) / cb;
  parallel_for(G * nblk, 1, [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t g = task / nblk, blk = task % nblk;
      const int64_t c0 = g * cout_g + blk * cb;
      const int64_t c1 = (blk + 1) * cb < cout_g ? g * cout_g + (blk + 1) * cb : (g + 1) * cout_g;
      for (int64_t n0 = 0; n0 < N; n0 += chunk) {
        const int64_t n1 = n0 + chunk < N ? n0 + chunk : N;
        for (int64_t co = c0; co < c1; co += MC) {
          const int mc = (int)(c1 - co < MC ? c1 - co : MC);
          for (int64_t q = 0; q < Q; q += V::DW_NQ) {
            const int nq = (int)(Q - q < V::DW_NQ ? Q - q : V::DW_NQ);
            dw_fn(mc, nq)(dw + co * Q, Q, n0 == 0, dp, n0, n1, co, g * cin_g, q);
          }
        }
      }
    }
  });
}

static void conv1d_backward_bias_simd(float* db, const float* dy, const keel_conv1d_params* p) {
  const int64_t N = p->batch, Lout = keel_conv1d_out_length(p), C = p->out_channels;
  const int64_t per = 8;  // channels per task
  const int64_t tasks = (C + per - 1) / per;
  parallel_for(tasks, grain_for_flops((double)per * N * Lout), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; task++) {
      const int64_t c1 = (task + 1) * per < C ? (task + 1) * per : C;
      for (int64_t co = task * per; co < c1; co++) {
        typename V::vec acc = V::zero();
        for (int64_t n = 0; n < N; n++) {
          const float* r = dy + (n * C + co) * Lout;
          int64_t t = 0;
          for (; t + V::W <= Lout; t += V::W) acc = V::add(acc, V::loadu(r + t));
          if (t < Lout) acc = V::add(acc, V::loadu_mask(r + t, V::mask_range(0, (int)(Lout - t))));
        }
        db[co] = V::hsum(acc);
      }
    }
  });
}
