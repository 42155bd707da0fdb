// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
// SC'11) and the dropout mask rule built on it. The rule is specified once, in src/ref/philox.ts;
// this is its C++ port. Known answer: counter 0, key 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
#ifndef KEEL_PHILOX_H_
#define KEEL_PHILOX_H_

#include <math.h>
#include <stdint.h>

namespace keel {

struct Philox4x32 {
  uint32_t v[4];
};

static inline Philox4x32 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                                uint32_t k1) {
  const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; round++) {
    if (round > 0) {
      k0 += W0;
      k1 += W1;
    }
    const uint64_t p0 = (uint64_t)M0 * c0, p1 = (uint64_t)M1 * c2;
    const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return Philox4x32{{c0, c1, c2, c3}};
}

// Draw d of stream `stream` under key `seed`: word d mod 4 of the block at counter
// (floor(d/4), stream), each 64-bit value split into (low, high) 32-bit words.
static inline uint32_t philox_draw(uint64_t seed, uint64_t stream, uint64_t d) {
  const uint64_t block = d >> 2;
  const Philox4x32 r = philox4x32_10((uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                                     (uint32_t)(stream >> 32), (uint32_t)seed, (uint32_t)(seed >> 32));
  return r.v[d & 3];
}

// A draw is kept iff draw >= threshold, threshold = floor(p * 2^32) in [0, 2^32].
static inline uint64_t dropout_threshold(double p) { return (uint64_t)floor(p * 4294967296.0); }

// Survivors are scaled by float32(1 / (1 - p)); with p = 1 nothing survives.
static inline float dropout_scale(double p) { return p < 1.0 ? (float)(1.0 / (1.0 - p)) : 0.0f; }

}  // namespace keel

#endif  // KEEL_PHILOX_H_
