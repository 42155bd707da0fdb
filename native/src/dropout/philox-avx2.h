// Philox4x32-10 and the dropout keep rule (src/ref/philox.ts, native/src/dropout/philox.h), AVX2.
// Include only from translation units compiled with AVX2 and BMI2.
//
// Layout as in philox-avx512.h: one 64-bit lane per Philox block (4 blocks = 16 draws per pass),
// each counter word in the low 32 bits of its lane, so _mm256_mul_epu32 gives the full product:
//   p0 = M0*c0, p1 = M1*c2;  c0' = hi(p1)^c1^k0, c1' = p1, c2' = hi(p0)^c3^k1, c3' = p0.
// Draw d is word d mod 4 of block floor(d/4); kept iff draw >= threshold (threshold in [0, 2^32]).
#ifndef KEEL_PHILOX_AVX2_H_
#define KEEL_PHILOX_AVX2_H_

#include <immintrin.h>
#include <stdint.h>

// GCC 12's intrinsic headers self-initialise their "undefined" vectors (GCC bug 105593), which
// -Wmaybe-uninitialized reports at every inlined multiply and shuffle below: silence that false
// positive for the including file (it cannot be popped: the warning is issued after inlining).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace keel {

#define KEEL_P256_INLINE static inline __attribute__((always_inline))

struct Philox256Key {
  __m256i k0[10], k1[10];  // round keys (low 32 bits of each 64-bit lane)
  __m256i s0, s1;          // stream low / high words
  __m256i t;               // threshold (32-bit lanes), valid when !none
  __m256i s1k10;           // stream high ^ k1 of round 0 (rounds 0-1 folded, see below)
  __m256i c1k01;           // lo(M1 * stream low) ^ k0 of round 1
  uint32_t a1, k11;        // hi(M1 * stream low) ^ k0 of round 0; k1 of round 1
  bool none;               // threshold == 2^32: nothing is kept
};

KEEL_P256_INLINE void philox256_key_init(Philox256Key* k, uint64_t seed, uint64_t stream, uint64_t threshold) {
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int r = 0; r < 10; r++) {
    if (r > 0) k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
    k->k0[r] = _mm256_set1_epi64x((int64_t)k0);
    k->k1[r] = _mm256_set1_epi64x((int64_t)k1);
  }
  k->s0 = _mm256_set1_epi64x((int64_t)(uint32_t)stream);
  k->s1 = _mm256_set1_epi64x((int64_t)(uint32_t)(stream >> 32));
  k->none = threshold > 0xFFFFFFFFull;
  k->t = _mm256_set1_epi32((int)(uint32_t)(k->none ? 0xFFFFFFFFu : threshold));
  const uint32_t s_lo = (uint32_t)stream, s_hi = (uint32_t)(stream >> 32);
  const uint32_t seed0 = (uint32_t)seed, seed1 = (uint32_t)(seed >> 32);
  const uint64_t q = (uint64_t)0xCD9E8D57u * s_lo;
  k->a1 = (uint32_t)(q >> 32) ^ seed0;
  k->k11 = seed1 + 0xBB67AE85u;
  k->s1k10 = _mm256_set1_epi64x((int64_t)(uint32_t)(s_hi ^ seed1));
  k->c1k01 = _mm256_set1_epi64x((int64_t)(uint32_t)((uint32_t)q ^ (seed0 + 0x9E3779B9u)));
}

// Rounds R0 .. 9 of NCH passes, then the keep bits (see philox256_keep_blocks).
template <int NCH, int R0>
KEEL_P256_INLINE uint64_t philox256_finish(const Philox256Key& k, __m256i* A, __m256i* B, __m256i* C, __m256i* D) {
  const __m256i M0 = _mm256_set1_epi64x(0xD2511F53), M1 = _mm256_set1_epi64x(0xCD9E8D57);
#pragma GCC unroll 9
  for (int r = R0; r < 9; r++) {
#pragma GCC unroll 4
    for (int c = 0; c < NCH; c++) {
      const __m256i p0 = _mm256_mul_epu32(A[c], M0), p1 = _mm256_mul_epu32(B[c], M1);
      // hi(p) to the low half by a dword shuffle (port 5) rather than a shift (ports 0/1, where the
      // multiplies sit): the high half of each lane is don't-care.
      A[c] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(p1, 0xF5), C[c]), k.k0[r]);
      B[c] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(p0, 0xF5), D[c]), k.k1[r]);
      C[c] = p1;
      D[c] = p0;
    }
  }
  if (k.none) return 0;
  // Last round straight into draw order: swapping the halves of p1 = (lo1, hi1) gives (hi1, lo1);
  // xor c1 ^ k0 into it and keep the xor in the even dwords only: (w0, w1) = (hi1 ^ c1 ^ k0, lo1)
  // per block, likewise (w2, w3) from p0. Dword 2j of x01 is w0 of block j, 2j + 1 is w1: the
  // compare masks are spread into bit 4j + w by pdep. Unsigned v >= t as max(v, t) == v.
  uint64_t bits = 0;
#pragma GCC unroll 4
  for (int c = 0; c < NCH; c++) {
    const __m256i p0 = _mm256_mul_epu32(A[c], M0), p1 = _mm256_mul_epu32(B[c], M1);
    const __m256i s1 = _mm256_shuffle_epi32(p1, 0xB1), s0 = _mm256_shuffle_epi32(p0, 0xB1);
    const __m256i x01 = _mm256_blend_epi32(_mm256_xor_si256(_mm256_xor_si256(s1, C[c]), k.k0[9]), s1, 0xAA);
    const __m256i x23 = _mm256_blend_epi32(_mm256_xor_si256(_mm256_xor_si256(s0, D[c]), k.k1[9]), s0, 0xAA);
    const uint32_t m01 = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_max_epu32(x01, k.t), x01)));
    const uint32_t m23 = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_max_epu32(x23, k.t), x23)));
    bits |= (uint64_t)(_pdep_u32(m01, 0x3333u) | _pdep_u32(m23, 0xCCCCu)) << (16 * c);
  }
  return bits;
}

// NCH independent passes of 4 blocks: pass c covers blocks b + 4c .. b + 4c + 3. Returns the keep
// bits of draws 4b .. 4b + 16*NCH - 1 (bit i = draw 4b + i), NCH <= 4.
template <int NCH>
KEEL_P256_INLINE uint64_t philox256_keep_blocks(const Philox256Key& k, uint64_t b) {
  const __m256i M0 = _mm256_set1_epi64x(0xD2511F53), M1 = _mm256_set1_epi64x(0xCD9E8D57);
  const __m256i iota = _mm256_set_epi64x(3, 2, 1, 0);
  __m256i A[NCH], B[NCH], C[NCH], D[NCH];
  if ((b >> 32) == ((b + 4 * NCH - 1) >> 32)) {
    // Rounds 0-1 folded as in philox-avx512.h: the counter high word is the same in every block.
    const uint32_t a1 = k.a1 ^ (uint32_t)(b >> 32);
    const uint64_t q = (uint64_t)0xD2511F53u * a1;
    const __m256i xb2 = _mm256_set1_epi64x((int64_t)(uint32_t)((uint32_t)(q >> 32) ^ k.k11));
    const __m256i d2 = _mm256_set1_epi64x((int64_t)(uint32_t)q);
#pragma GCC unroll 4
    for (int c = 0; c < NCH; c++) {
      const __m256i a0 = _mm256_add_epi64(_mm256_set1_epi64x((int64_t)(b + 4 * (uint64_t)c)), iota);
      const __m256i p0 = _mm256_mul_epu32(a0, M0);                                      // round 0
      const __m256i b1 = _mm256_xor_si256(_mm256_shuffle_epi32(p0, 0xF5), k.s1k10);
      const __m256i p1 = _mm256_mul_epu32(b1, M1);                                      // round 1
      A[c] = _mm256_xor_si256(_mm256_shuffle_epi32(p1, 0xF5), k.c1k01);
      B[c] = _mm256_xor_si256(p0, xb2);
      C[c] = p1;
      D[c] = d2;
    }
    return philox256_finish<NCH, 2>(k, A, B, C, D);
  }
  for (int c = 0; c < NCH; c++) {
    A[c] = _mm256_add_epi64(_mm256_set1_epi64x((int64_t)(b + 4 * (uint64_t)c)), iota);
    C[c] = _mm256_srli_epi64(A[c], 32);
    B[c] = k.s0;
    D[c] = k.s1;
  }
  return philox256_finish<NCH, 0>(k, A, B, C, D);
}

// Keep bits of the 64 draws 4b .. 4b + 63: four interleaved passes (1.5 TSC cycles/draw measured
// with AVX2 only, against 1.75 for two and 1.95 for one).
KEEL_P256_INLINE uint64_t philox256_keep_blocks64(const Philox256Key& k, uint64_t b) {
  return philox256_keep_blocks<4>(k, b);
}

// 8 keep bits as float lanes: lane i all-ones iff bit i of `bits` is set.
KEEL_P256_INLINE __m256 philox256_lanes8(uint32_t bits) {
  const __m256i sel = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
  return _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), sel), sel));
}

// Keep-mask of the 8 consecutive draws d0, d0 + 1, ... of (seed, stream): lane i all-ones iff draw
// d0 + i >= threshold, else zero. d0 may be any value; threshold in [0, 2^32] (2^32: nothing kept).
KEEL_P256_INLINE __m256 philox_keep8(uint64_t seed, uint64_t stream, uint64_t d0, uint64_t threshold) {
  Philox256Key k;
  philox256_key_init(&k, seed, stream, threshold);
  // 4 blocks = 16 draws from block floor(d0/4) cover draws d0 .. d0 + 8 + 4.
  return philox256_lanes8((uint32_t)(philox256_keep_blocks<1>(k, d0 >> 2) >> (d0 & 3)) & 0xFFu);
}

// Keep bits of draws d .. d + 63 given a precomputed key (bit i = draw d + i), for bulk loops.
KEEL_P256_INLINE uint64_t philox256_keep64(const Philox256Key& k, uint64_t d) {
  const unsigned s = (unsigned)(d & 3);
  const uint64_t b = d >> 2, g = philox256_keep_blocks64(k, b);
  return s ? (g >> s) | (philox256_keep_blocks<1>(k, b + 16) << (64 - s)) : g;
}

#undef KEEL_P256_INLINE

}  // namespace keel

#endif  // KEEL_PHILOX_AVX2_H_
