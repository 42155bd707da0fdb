// Philox4x32-10 on NEON (arm64): four blocks at a time, one per lane, with vmull_u32 /
// vmull_high_u32 for the 32x32 -> 64-bit products and a 4x4 transpose back to draw order. Bitwise
// equal to philox.h's philox_draw. Shared by the dropout and fused NEON kernels.
#ifndef KEEL_PHILOX_NEON_H_
#define KEEL_PHILOX_NEON_H_

#include <arm_neon.h>
#include <stdint.h>

namespace keel {
namespace neon {

static inline void mulhilo(uint32x4_t a, uint32_t m, uint32x4_t* hi, uint32x4_t* lo) {
  const uint64x2_t p0 = vmull_u32(vget_low_u32(a), vdup_n_u32(m));
  const uint64x2_t p1 = vmull_high_u32(a, vdupq_n_u32(m));
  *lo = vuzp1q_u32(vreinterpretq_u32_u64(p0), vreinterpretq_u32_u64(p1));  // little-endian: low words
  *hi = vuzp2q_u32(vreinterpretq_u32_u64(p0), vreinterpretq_u32_u64(p1));
}

// The 16 draws d .. d+15 (d a multiple of 4) of (seed, stream): out[q] holds draws d+4q .. d+4q+3.
static inline void philox16(uint64_t seed, uint64_t stream, uint64_t d, uint32x4_t out[4]) {
  uint32_t lo[4], hi[4];
  for (int l = 0; l < 4; l++) {
    const uint64_t block = (d + 4 * (uint64_t)l) >> 2;  // wraps like the scalar d = offset + r
    lo[l] = (uint32_t)block, hi[l] = (uint32_t)(block >> 32);
  }
  uint32x4_t c0 = vld1q_u32(lo), c1 = vld1q_u32(hi);
  uint32x4_t c2 = vdupq_n_u32((uint32_t)stream), c3 = vdupq_n_u32((uint32_t)(stream >> 32));
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int round = 0; round < 10; round++) {
    if (round > 0) k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
    uint32x4_t hi0, lo0, hi1, lo1;
    mulhilo(c0, 0xD2511F53u, &hi0, &lo0);
    mulhilo(c2, 0xCD9E8D57u, &hi1, &lo1);
    c0 = veorq_u32(veorq_u32(hi1, c1), vdupq_n_u32(k0));
    c1 = lo1;
    c2 = veorq_u32(veorq_u32(hi0, c3), vdupq_n_u32(k1));
    c3 = lo0;
  }
  // Lane l of c0..c3 is block l's words 0..3: transpose so that out[l] is block l.
  const uint32x4_t t0 = vtrn1q_u32(c0, c1), t1 = vtrn2q_u32(c0, c1);
  const uint32x4_t t2 = vtrn1q_u32(c2, c3), t3 = vtrn2q_u32(c2, c3);
  out[0] = vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2)));
  out[1] = vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)));
  out[2] = vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2)));
  out[3] = vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)));
}

}  // namespace neon
}  // namespace keel

#endif  // KEEL_PHILOX_NEON_H_
