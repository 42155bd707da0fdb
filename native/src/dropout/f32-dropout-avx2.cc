// Dropout and Dropout1d, AVX2: vectorised Philox4x32-10 (philox-avx2.h, 4 blocks per pass, four
// passes = 64 draws per step); keep bits expanded to float lanes and y = (x * scale) & keep, so
// dropped lanes are +0 whatever x holds. Bitwise equal to the scalar variant (f32-dropout-scalar.cc).
//
// Threads: the draws are cut into fixed tasks (kTaskElems elements, at least one row), each task
// computing its own draws from its first draw index, so any thread count gives the same bits.
// An unaligned first draw (d mod 4 != 0) is handled by a funnel over consecutive 64-draw steps.
#include <immintrin.h>
#include <stdint.h>

#include "dropout.h"
#include "keel.h"
#include "parallel.h"
#include "philox-avx2.h"
#include "philox.h"

// GCC 12's intrinsic headers self-initialise their "undefined" vectors (GCC bug 105593), which
// -Wmaybe-uninitialized reports at every inlined multiply/shift: silence that false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace keel {

namespace {

constexpr int64_t kTaskElems = 1 << 16;

// Calls f(bits, i) for i = 0, 64, ... < n, with bit j of `bits` the keep bit of draw d + i + j.
template <class F>
inline __attribute__((always_inline)) void for_keep64(const Philox256Key& k, uint64_t d, int64_t n, const F& f) {
  const unsigned s = (unsigned)(d & 3);
  uint64_t b = d >> 2;
  if (s == 0) {
    for (int64_t i = 0; i < n; i += 64, b += 16) f(philox256_keep_blocks64(k, b), i);
  } else {
    uint64_t cur = philox256_keep_blocks64(k, b);
    for (int64_t i = 0; i < n; i += 64) {
      b += 16;
      const uint64_t next = philox256_keep_blocks64(k, b);
      f((cur >> s) | (next << (64 - s)), i);
      cur = next;
    }
  }
}

// Lanes [0, left) of 8 as an all-ones/zero integer mask.
inline __m256i tail8(int64_t left) {
  const __m256i iota = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(left > 8 ? 8 : left)), iota);
}

// out = keep ? in * scale : +0 for 8 elements (`left` of them in range when < 8).
inline __attribute__((always_inline)) void apply8(float* out, const float* in, __m256 keep, int64_t left, __m256 scale) {
  if (left >= 8) {
    _mm256_storeu_ps(out, _mm256_and_ps(_mm256_mul_ps(_mm256_loadu_ps(in), scale), keep));
  } else {
    const __m256i m = tail8(left);
    _mm256_maskstore_ps(out, m, _mm256_and_ps(_mm256_mul_ps(_mm256_maskload_ps(in, m), scale), keep));
  }
}

// (Non-temporal stores, which the AVX-512 variant uses for large outputs, measured slower here:
// 8.5 ms against 6.3 ms for the bench's forward at 1 thread - 32-byte streaming stores split lines.)
void apply_elements(float* out, const float* in, int64_t n, uint64_t d, const Philox256Key& k, __m256 scale) {
  for_keep64(k, d, n, [&](uint64_t bits, int64_t i) {
    const int64_t left = n - i;
    if (left >= 64) {
      for (int j = 0; j < 8; j++) {
        const __m256 keep = philox256_lanes8((uint32_t)(bits >> (8 * j)) & 0xFFu);
        _mm256_storeu_ps(out + i + 8 * j, _mm256_and_ps(_mm256_mul_ps(_mm256_loadu_ps(in + i + 8 * j), scale), keep));
      }
    } else {
      for (int j = 0; j < 8 && 8 * j < left; j++)
        apply8(out + i + 8 * j, in + i + 8 * j, philox256_lanes8((uint32_t)(bits >> (8 * j)) & 0xFFu), left - 8 * j, scale);
    }
  });
}

inline void apply_row(float* out, const float* in, int64_t L, bool keep, __m256 scale) {
  const __m256 kk = _mm256_castsi256_ps(_mm256_set1_epi32(keep ? -1 : 0));
  for (int64_t l = 0; l < L; l += 8) apply8(out + l, in + l, kk, L - l, scale);
}

void apply(float* out, const float* in, const keel_dropout_params* p) {
  const int64_t count = p->count, L = p->length;
  if (count <= 0 || L <= 0) return;
  const uint64_t threshold = dropout_threshold(p->p);
  const __m256 scale = _mm256_set1_ps(dropout_scale(p->p));
  const uint64_t seed = p->seed, stream = p->stream, offset = p->offset;
  const int64_t rows_per_task = L >= kTaskElems ? 1 : kTaskElems / L;
  const int64_t tasks = (count + rows_per_task - 1) / rows_per_task;
  const int64_t grain = grain_for(rows_per_task * L * (int64_t)(2 * sizeof(float)));
  parallel_for(tasks, grain, [&](int64_t t0, int64_t t1) {
    Philox256Key k;
    philox256_key_init(&k, seed, stream, threshold);
    const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1)), none = _mm256_setzero_ps();
    for (int64_t t = t0; t < t1; t++) {
      const int64_t r0 = t * rows_per_task, nr = count - r0 < rows_per_task ? count - r0 : rows_per_task;
      const uint64_t d = offset + (uint64_t)r0;
      if (k.none) {  // p = 1: nothing kept, every output +0 (also for NaN inputs)
        for (int64_t i = 0; i < nr * L; i += 8) apply8(out + r0 * L + i, in + r0 * L + i, none, nr * L - i, scale);
      } else if (L == 1) {
        if (threshold == 0) {  // p = 0: every draw kept, no need to make them
          for (int64_t i = 0; i < nr; i += 8) apply8(out + r0 + i, in + r0 + i, all, nr - i, scale);
        } else {
          apply_elements(out + r0, in + r0, nr, d, k, scale);
        }
      } else {
        for_keep64(k, d, nr, [&](uint64_t bits, int64_t i) {
          const int64_t n = nr - i < 64 ? nr - i : 64;
          for (int64_t j = 0; j < n; j++) {
            const int64_t r = r0 + i + j;
            apply_row(out + r * L, in + r * L, L, (bits >> j) & 1, scale);
          }
        });
      }
    }
  });
}

}  // namespace

void u8_dropout_mask__avx2(uint8_t* mask, const keel_dropout_params* p) {
  const int64_t count = p->count;
  if (count <= 0) return;
  const uint64_t threshold = dropout_threshold(p->p);
  const uint64_t seed = p->seed, stream = p->stream, offset = p->offset;
  const int64_t tasks = (count + kTaskElems - 1) / kTaskElems;
  parallel_for(tasks, grain_for(kTaskElems * 8), [&](int64_t t0, int64_t t1) {
    Philox256Key k;
    philox256_key_init(&k, seed, stream, threshold);
    // Byte j of the 8 bytes = bit j of a byte of keep bits: pdep spreads the bits one per byte.
    for (int64_t t = t0; t < t1; t++) {
      const int64_t r0 = t * kTaskElems, nr = count - r0 < kTaskElems ? count - r0 : kTaskElems;
      uint8_t* m = mask + r0;
      for_keep64(k, offset + (uint64_t)r0, nr, [&](uint64_t bits, int64_t i) {
        const int64_t left = nr - i;
        for (int j = 0; j < 8 && 8 * j < left; j++) {
          const uint64_t bytes = _pdep_u64((bits >> (8 * j)) & 0xFF, 0x0101010101010101ull);
          if (left - 8 * j >= 8) {
            __builtin_memcpy(m + i + 8 * j, &bytes, 8);
          } else {
            for (int64_t q = 0; q < left - 8 * j; q++) m[i + 8 * j + q] = (uint8_t)(bytes >> (8 * q));
          }
        }
      });
    }
  });
}

void f32_dropout_forward__avx2(float* y, const float* x, const keel_dropout_params* p) { apply(y, x, p); }

void f32_dropout_backward__avx2(float* dx, const float* dy, const keel_dropout_params* p) { apply(dx, dy, p); }

}  // namespace keel
