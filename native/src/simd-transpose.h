// In-register transposes of square float tiles, for the variants that repack a matrix (conv1d's
// backward-weight slices, linear's W^T panels). Include from an ISA's translation unit, outside any
// namespace: each function is defined only when that unit's flags provide its ISA, and is static
// (internal linkage), so no unit links another ISA's code.
#ifndef KEEL_SIMD_TRANSPOSE_H_
#define KEEL_SIMD_TRANSPOSE_H_

#include <immintrin.h>

namespace keel {

#if defined(__AVX2__)
// r[i][l] -> r[l][i], 8 x 8: unpack, shuffle, then 128-bit lane permutes.
static inline __attribute__((always_inline)) void transpose8x8_ps(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // u[4i + k], 128-bit lane L: rows 4i..4i+3 at column 4L + k
  for (int i = 0; i < 2; i++) {
    u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int k = 0; k < 4; k++) {
    r[k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x20);
    r[4 + k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x31);
  }
}
#endif

#if defined(__AVX512F__)
// r[i][l] -> r[l][i], 16 x 16: 4 shuffle stages. (The all-lanes zero-masked forms compile to the
// plain shuffles; the plain intrinsics trip GCC 12's -Wmaybe-uninitialized on their internal
// _mm512_undefined_ps.)
static inline __attribute__((always_inline)) void transpose16x16_ps(__m512 r[16]) {
  const __mmask16 all = 0xFFFF;
  __m512 t[16], u[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_maskz_unpacklo_ps(all, r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_maskz_unpackhi_ps(all, r[2 * i], r[2 * i + 1]);
  }
  // u[4i + k], 128-bit lane L: rows 4i..4i+3 at column 4L + k
  for (int i = 0; i < 4; i++) {
    u[4 * i + 0] = _mm512_maskz_shuffle_ps(all, t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_maskz_shuffle_ps(all, t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_maskz_shuffle_ps(all, t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_maskz_shuffle_ps(all, t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int k = 0; k < 4; k++) {
    const __m512 p0 = _mm512_maskz_shuffle_f32x4(all, u[k], u[4 + k], 0x88);
    const __m512 p1 = _mm512_maskz_shuffle_f32x4(all, u[k], u[4 + k], 0xDD);
    const __m512 q0 = _mm512_maskz_shuffle_f32x4(all, u[8 + k], u[12 + k], 0x88);
    const __m512 q1 = _mm512_maskz_shuffle_f32x4(all, u[8 + k], u[12 + k], 0xDD);
    r[k] = _mm512_maskz_shuffle_f32x4(all, p0, q0, 0x88);
    r[4 + k] = _mm512_maskz_shuffle_f32x4(all, p1, q1, 0x88);
    r[8 + k] = _mm512_maskz_shuffle_f32x4(all, p0, q0, 0xDD);
    r[12 + k] = _mm512_maskz_shuffle_f32x4(all, p1, q1, 0xDD);
  }
}
#endif

}  // namespace keel

#endif  // KEEL_SIMD_TRANSPOSE_H_
