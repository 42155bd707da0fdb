// Philox4x32-10 and the dropout keep rule (src/ref/philox.ts, native/src/dropout/philox.h), AVX-512.
// Include only from translation units compiled with AVX-512 F/BW/DQ/VL and BMI2.
//
// Layout: one 64-bit lane per Philox block, 8 blocks per pass. Each of the four counter words lives
// in the LOW 32 bits of a 64-bit lane (the high half is don't-care), so _mm512_mul_epu32 yields the
// full 32x32->64 product of a word directly: lo in the low half, hi in the high half. A round is
//   p0 = M0*c0, p1 = M1*c2;  c0' = hi(p1)^c1^k0, c1' = p1, c2' = hi(p0)^c3^k1, c3' = p0
// = 2 multiplies, 2 dword shuffles (hi to the low half), 2 ternary-logic xors per 8 blocks (32
// draws); rounds 0-1 fold to 2 multiplies while the counter high word is constant (see below).
// Draw d is word d mod 4 of block floor(d/4); kept iff draw >= threshold (threshold in [0, 2^32]).
#ifndef KEEL_PHILOX_AVX512_H_
#define KEEL_PHILOX_AVX512_H_

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

#define KEEL_P512_INLINE static inline __attribute__((always_inline))

// Per-(seed, stream, threshold) constants: round keys as broadcast vectors, the stream words.
struct Philox512Key {
  __m512i k0[10], k1[10];  // round keys (low 32 bits of each 64-bit lane)
  __m512i s0, s1;          // stream low / high words
  __m512i t;               // threshold (32-bit lanes), valid when !none
  __m512i s1k10;           // stream high ^ k1 of round 0 (rounds 0-1 folded, see below)
  __m512i c1k01;           // lo(M1 * stream low) ^ k0 of round 1
  uint32_t a1, k11;        // hi(M1 * stream low) ^ k0 of round 0; k1 of round 1
  bool none;               // threshold == 2^32: nothing is kept
};

KEEL_P512_INLINE void philox512_key_init(Philox512Key* k, uint64_t seed, uint64_t stream, uint64_t threshold) {
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int r = 0; r < 10; r++) {
    if (r > 0) k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
    k->k0[r] = _mm512_set1_epi64((int64_t)k0);
    k->k1[r] = _mm512_set1_epi64((int64_t)k1);
  }
  k->s0 = _mm512_set1_epi64((int64_t)(uint32_t)stream);
  k->s1 = _mm512_set1_epi64((int64_t)(uint32_t)(stream >> 32));
  k->none = threshold > 0xFFFFFFFFull;
  k->t = _mm512_set1_epi32((int)(uint32_t)(k->none ? 0xFFFFFFFFu : threshold));
  const uint32_t s_lo = (uint32_t)stream, s_hi = (uint32_t)(stream >> 32);
  const uint32_t seed0 = (uint32_t)seed, seed1 = (uint32_t)(seed >> 32);
  const uint64_t q = (uint64_t)0xCD9E8D57u * s_lo;
  k->a1 = (uint32_t)(q >> 32) ^ seed0;
  k->k11 = seed1 + 0xBB67AE85u;
  k->s1k10 = _mm512_set1_epi64((int64_t)(uint32_t)(s_hi ^ seed1));
  k->c1k01 = _mm512_set1_epi64((int64_t)(uint32_t)((uint32_t)q ^ (seed0 + 0x9E3779B9u)));
}

// Rounds R0 .. 9 of NCH passes, then the keep bits: words[c] holds pass c's 32 (see philox512_keep_words).
template <int NCH, int R0>
KEEL_P512_INLINE void philox512_finish(const Philox512Key& k, __m512i* A, __m512i* B, __m512i* C, __m512i* D, uint32_t* words) {
  const __m512i M0 = _mm512_set1_epi64(0xD2511F53), M1 = _mm512_set1_epi64(0xCD9E8D57);
#pragma GCC unroll 9
  for (int r = R0; r < 9; r++) {
#pragma GCC unroll 4
    for (int c = 0; c < NCH; c++) {
      const __m512i p0 = _mm512_mul_epu32(A[c], M0), p1 = _mm512_mul_epu32(B[c], M1);
      // hi(p) to the low half by a dword shuffle (port 5) rather than a shift (port 0, where the
      // multiplies already sit): the high half of each lane is don't-care.
      A[c] = _mm512_ternarylogic_epi64(_mm512_shuffle_epi32(p1, (_MM_PERM_ENUM)0xF5), C[c], k.k0[r], 0x96);
      B[c] = _mm512_ternarylogic_epi64(_mm512_shuffle_epi32(p0, (_MM_PERM_ENUM)0xF5), D[c], k.k1[r], 0x96);
      C[c] = p1;
      D[c] = p0;
    }
  }
  if (k.none) {
    for (int c = 0; c < NCH; c++) words[c] = 0;
    return;
  }
  // Last round straight into draw order: swapping the halves of p1 = (lo1, hi1) gives (hi1, lo1),
  // and xoring c1 ^ k0 into the even dwords only gives (w0, w1) = (hi1 ^ c1 ^ k0, lo1) per block;
  // likewise (w2, w3) from p0. Dword 2j of x01 is w0 of block j, 2j + 1 is w1: the compare masks
  // are spread into bit 4j + w by pdep.
#pragma GCC unroll 4
  for (int c = 0; c < NCH; c++) {
    const __m512i p0 = _mm512_mul_epu32(A[c], M0), p1 = _mm512_mul_epu32(B[c], M1);
    const __m512i x01 = _mm512_mask_ternarylogic_epi32(_mm512_shuffle_epi32(p1, _MM_PERM_CDAB), (__mmask16)0x5555, C[c], k.k0[9], 0x96);
    const __m512i x23 = _mm512_mask_ternarylogic_epi32(_mm512_shuffle_epi32(p0, _MM_PERM_CDAB), (__mmask16)0x5555, D[c], k.k1[9], 0x96);
    const uint32_t m01 = _mm512_cmp_epu32_mask(x01, k.t, _MM_CMPINT_NLT);
    const uint32_t m23 = _mm512_cmp_epu32_mask(x23, k.t, _MM_CMPINT_NLT);
    words[c] = _pdep_u32(m01, 0x33333333u) | _pdep_u32(m23, 0xCCCCCCCCu);
  }
}

// NCH independent passes of 8 blocks each: pass c covers blocks b + 8c .. b + 8c + 7, and bit i of
// words[c] is the keep bit of draw 4(b + 8c) + i. One pass's ten rounds are a chain of ~50 cycles
// of latency; the passes of one call are independent, so more of them keep more of the core busy.
template <int NCH>
KEEL_P512_INLINE void philox512_keep_words(const Philox512Key& k, uint64_t b, uint32_t* words) {
  const __m512i M0 = _mm512_set1_epi64(0xD2511F53), M1 = _mm512_set1_epi64(0xCD9E8D57);
  const __m512i iota = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  __m512i A[NCH], B[NCH], C[NCH], D[NCH];
  if ((b >> 32) == ((b + 8 * NCH - 1) >> 32)) {
    // The counter's high word c1 is the same in all 8*NCH blocks (always, below 2^34 draws), and
    // c2, c3 are the stream: after round 0, c0 = hi(M1*c2)^c1^k0 and c1 = lo(M1*c2) are the same
    // in every lane, so round 0 needs one vector multiply and round 1's M0*c0 is a scalar one.
    const uint32_t a1 = k.a1 ^ (uint32_t)(b >> 32);
    const uint64_t q = (uint64_t)0xD2511F53u * a1;
    const __m512i xb2 = _mm512_set1_epi64((int64_t)(uint32_t)((uint32_t)(q >> 32) ^ k.k11));
    const __m512i d2 = _mm512_set1_epi64((int64_t)(uint32_t)q);
#pragma GCC unroll 4
    for (int c = 0; c < NCH; c++) {
      const __m512i a0 = _mm512_add_epi64(_mm512_set1_epi64((int64_t)(b + 8 * (uint64_t)c)), iota);
      const __m512i p0 = _mm512_mul_epu32(a0, M0);                                                  // round 0
      const __m512i b1 = _mm512_xor_si512(_mm512_shuffle_epi32(p0, (_MM_PERM_ENUM)0xF5), k.s1k10);
      const __m512i p1 = _mm512_mul_epu32(b1, M1);                                                  // round 1
      A[c] = _mm512_xor_si512(_mm512_shuffle_epi32(p1, (_MM_PERM_ENUM)0xF5), k.c1k01);
      B[c] = _mm512_xor_si512(p0, xb2);
      C[c] = p1;
      D[c] = d2;
    }
    philox512_finish<NCH, 2>(k, A, B, C, D, words);
    return;
  }
  for (int c = 0; c < NCH; c++) {
    A[c] = _mm512_add_epi64(_mm512_set1_epi64((int64_t)(b + 8 * (uint64_t)c)), iota);
    C[c] = _mm512_srli_epi64(A[c], 32);
    B[c] = k.s0;
    D[c] = k.s1;
  }
  philox512_finish<NCH, 0>(k, A, B, C, D, words);
}

// The keep bits of draws 4b .. 4b + 32*NCH - 1 (bit i = draw 4b + i), NCH <= 2.
template <int NCH>
KEEL_P512_INLINE uint64_t philox512_keep_blocks(const Philox512Key& k, uint64_t b) {
  uint32_t w[2] = {0, 0};
  philox512_keep_words<NCH>(k, b, w);
  return (uint64_t)w[0] | (uint64_t)w[1] << 32;
}

// Keep-mask of the 16 consecutive draws d0, d0 + 1, ... of (seed, stream): bit i set iff draw
// d0 + i >= threshold. d0 may be any value; threshold in [0, 2^32] (2^32: nothing kept).
KEEL_P512_INLINE __mmask16 philox_keep16(uint64_t seed, uint64_t stream, uint64_t d0, uint64_t threshold) {
  Philox512Key k;
  philox512_key_init(&k, seed, stream, threshold);
  // 8 blocks = 32 draws from block floor(d0/4) cover draws d0 .. d0 + 16 + 3.
  return (__mmask16)(philox512_keep_blocks<1>(k, d0 >> 2) >> (d0 & 3));
}

// Keep bits of draws d .. d + 63 given a precomputed key (bit i = draw d + i), for bulk loops.
KEEL_P512_INLINE uint64_t philox512_keep64(const Philox512Key& k, uint64_t d) {
  const unsigned s = (unsigned)(d & 3);
  const uint64_t b = d >> 2, g = philox512_keep_blocks<2>(k, b);
  return s ? (g >> s) | (philox512_keep_blocks<1>(k, b + 16) << (64 - s)) : g;
}

#undef KEEL_P512_INLINE

}  // namespace keel

#endif  // KEEL_PHILOX_AVX512_H_
