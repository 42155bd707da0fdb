// Channel blocking and row visits of the fused kernels' SIMD variants, shared by f32-fused-avx2.cc and
// f32-fused-avx512.cc. NOT a normal header: each includes it INSIDE ITS ANONYMOUS NAMESPACE (after its
// KeepBits), so code built with one ISA's flags is never linked into another's (no ODR merging).
//
// Channels are processed in blocks. Long rows (L > kChunk / 2): one channel at a time, each row in
// pieces of kChunk elements with their own keep bits. Short rows: blocks of up to kMaxBlock channels
// whose rows n lie side by side in memory and in the Philox stream, so one fill covers the block's
// row n (no Philox block is computed for nothing but a row's ends). Either way every channel's rows
// are visited in order n = 0.., in vector groups from each row's start: sums and results do not
// depend on the blocking, which depends on the task range (so on the thread count) only through
// where blocks start. (N, C) input (L = 1) has its own loop, nc_for_blocks, at the end.

constexpr int64_t kMaxBlock = 64;

// A block's spans of the `arrays` arrays a pass streams fill at most half the L2: the backward's second
// pass re-reads the block's x and dx, which must still be there. With a fixed 256 KB per array
// (a quarter of the Zen 5's 1 MB L2) the backward's four (x, y, dy, dx) filled it, and in the §1
// backbone's step (N = 256, L = 30: 8 channels a block, now 4) it ran 9-18% slower. The forward
// (x, y) keeps its 8 channels: 4 gained it nothing, and 2 made its Philox fills too short.
inline int64_t block_channels(int64_t N, int64_t L, int64_t c0, int64_t c1, int64_t arrays) {
  if (L * 2 > kChunk) return 1;
  int64_t cb = kChunk / L;
  const int64_t by_bytes = l2_cache_bytes() / 2 / arrays / (N * L * 4 > 0 ? N * L * 4 : 1);
  if (cb > by_bytes) cb = by_bytes;
  if (cb > kMaxBlock) cb = kMaxBlock;
  if (cb > c1 - c0) cb = c1 - c0;
  return cb < 1 ? 1 : cb;
}

// How many rows n ahead visit_rows prefetches a block's span of each array it is given (on the Intel
// Xeon too: 2 and 8 made the fused kernels 2-8% slower in the backbone's step, bench:ab).
constexpr int64_t kPrefetchRows = 4;

// Visits the rows of channels [cb, ce) for every n: row(c, o, len, bit0) for elements
// o .. o + len - 1 (o = (n*C + c)*L + l0) whose keep bit i is bits.at(bit0 + i). With blocks of
// short rows, the block's span of row n + kPrefetchRows in ra, rb and rc (any may be null: the arrays
// the row function reads) is prefetched, and in wa (the array it writes) prefetched for writing: the
// spans lie C*L floats apart, a stride the hardware prefetchers do not follow well, and in a training
// step they come from memory. Prefetching the written span too made the fused kernels in the §1
// backbone's step on the Zen 5 12-23% faster (A/B in one process, 2 threads).
template <typename Bits, typename Key, typename Row>
inline void visit_rows(Bits& bits, const Key& key, bool draws, uint64_t offset, int64_t N, int64_t C, int64_t L,
                       int64_t cb, int64_t ce, const float* ra, const float* rb, const float* rc, const float* wa,
                       const Row& row) {
  if (ce - cb == 1) {
    for (int64_t n = 0; n < N; n++)
      for (int64_t l0 = 0; l0 < L; l0 += kChunk) {
        const int64_t o = (n * C + cb) * L + l0, len = L - l0 < kChunk ? L - l0 : kChunk;
        if (draws) bits.fill(key, offset + (uint64_t)o, len);
        row(cb, o, len, (int64_t)0);
      }
    return;
  }
  const int64_t span = (ce - cb) * L;
  for (int64_t n = 0; n < N; n++) {
    const int64_t o = (n * C + cb) * L;
    if (n + kPrefetchRows < N) {
      const int64_t q = o + kPrefetchRows * C * L;
      for (int64_t i = 0; i < span; i += 16) {
        if (ra) __builtin_prefetch(ra + q + i, 0, 3);
        if (rb) __builtin_prefetch(rb + q + i, 0, 3);
        if (rc) __builtin_prefetch(rc + q + i, 0, 3);
        if (wa) __builtin_prefetch(wa + q + i, 1, 3);
      }
    }
    if (draws) bits.fill(key, offset + (uint64_t)o, span);
    for (int64_t c = cb; c < ce; c++) row(c, o + (c - cb) * L, L, (c - cb) * L);
  }
}

// (N, C) input: blocks of kMaxBlock channels (the last one shorter) as the pool's tasks, block(cb, bw)
// each. A block is fixed by the shape, so results do not depend on the threads. Chunks of about 64 KB
// of traffic (not parallel.h's 1 MB): an MLP layer's (128, 512) output is only 256 KB, and with the
// pool's spinning hand-offs two threads already share it profitably.
template <typename Block>
inline void nc_for_blocks(int64_t N, int64_t C, int64_t bytes_per_elem, const Block& block) {
  const int64_t bytes = N * kMaxBlock * bytes_per_elem, target = 64 << 10;  // bytes is 0 for N = 0
  parallel_for((C + kMaxBlock - 1) / kMaxBlock, bytes >= target ? 1 : target / (bytes > 0 ? bytes : 1), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) block(b * kMaxBlock, C - b * kMaxBlock < kMaxBlock ? C - b * kMaxBlock : kMaxBlock);
  });
}
