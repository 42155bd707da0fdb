// Dropout and Dropout1d, NEON (arm64): Philox4x32-10 four blocks at a time, one block per lane, with
// vmull_u32 / vmull_high_u32 for the 32x32 -> 64-bit products; a 4x4 transpose puts the 16 draws
// back in draw order. The mask rule is philox.h's (keep iff draw >= floor(p 2^32)), so masks equal
// the scalar ones bit for bit, for any offset (draws before the first 4-aligned one are scalar) and
// any thread split (a draw depends only on its index). Rows are cut into fixed blocks for threads.
#include <arm_neon.h>

#include "dropout.h"
#include "keel.h"
#include "parallel.h"
#include "philox.h"
#include "philox-neon.h"

namespace keel {
namespace {

using neon::philox16;

struct Rule {
  uint64_t threshold;
  // keep masks (all ones / zero) of 16 draws
  void keep16(const uint32x4_t draws[4], uint32x4_t keep[4]) const {
    if (threshold == 0) {
      for (int q = 0; q < 4; q++) keep[q] = vdupq_n_u32(~0u);
    } else if (threshold > 0xFFFFFFFFull) {
      for (int q = 0; q < 4; q++) keep[q] = vdupq_n_u32(0);
    } else {
      const uint32x4_t t = vdupq_n_u32((uint32_t)threshold);
      for (int q = 0; q < 4; q++) keep[q] = vcgeq_u32(draws[q], t);
    }
  }
};

// Calls f(r, n, keep) for rows [r0, r1) in pieces: n = 16 rows with keep[4] lane masks in row order,
// or n = 1 row (the unaligned head and the tail) with keep[0] lane 0 set.
template <typename F>
void for_keep(const keel_dropout_params* p, const Rule& rule, int64_t r0, int64_t r1, const F& f) {
  int64_t r = r0;
  uint32x4_t draws[4], keep[4];
  // Head: single draws until the draw index is a multiple of 4.
  while (r < r1 && ((p->offset + (uint64_t)r) & 3) != 0) {
    keep[0] = vdupq_n_u32(philox_draw(p->seed, p->stream, p->offset + (uint64_t)r) >= rule.threshold ? ~0u : 0u);
    f(r, 1, keep);
    r++;
  }
  for (; r + 16 <= r1; r += 16) {
    philox16(p->seed, p->stream, p->offset + (uint64_t)r, draws);
    rule.keep16(draws, keep);
    f(r, 16, keep);
  }
  if (r < r1) {  // tail: one more vector block, of which the first r1 - r draws are used
    philox16(p->seed, p->stream, p->offset + (uint64_t)r, draws);
    rule.keep16(draws, keep);
    uint32_t k[16];
    for (int q = 0; q < 4; q++) vst1q_u32(k + 4 * q, keep[q]);
    for (int64_t i = 0; r + i < r1; i++) {
      uint32x4_t one[4];
      one[0] = vdupq_n_u32(k[i]);
      f(r + i, 1, one);
    }
  }
}

// Rows per parallel task: a fixed block of rows (a multiple of 16), by shape only.
int64_t rows_per_task(int64_t length) {
  const int64_t target = 1 << 16;  // elements
  int64_t rows = length >= target ? 1 : target / length;
  return rows < 16 ? 16 : rows & ~(int64_t)15;
}

void mask_rows(uint8_t* mask, const keel_dropout_params* p, int64_t r0, int64_t r1) {
  const Rule rule{dropout_threshold(p->p)};
  for_keep(p, rule, r0, r1, [&](int64_t r, int n, const uint32x4_t* keep) {
    if (n == 16) {
      const uint16x8_t a = vcombine_u16(vmovn_u32(keep[0]), vmovn_u32(keep[1]));
      const uint16x8_t b = vcombine_u16(vmovn_u32(keep[2]), vmovn_u32(keep[3]));
      vst1q_u8(mask + r, vandq_u8(vcombine_u8(vmovn_u16(a), vmovn_u16(b)), vdupq_n_u8(1)));
    } else {
      mask[r] = vgetq_lane_u32(keep[0], 0) ? 1 : 0;
    }
  });
}

// out = keep ? in * scale : 0, row by row (a row is `length` elements).
void apply_rows(float* out, const float* in, const keel_dropout_params* p, int64_t r0, int64_t r1) {
  const Rule rule{dropout_threshold(p->p)};
  const float scale = dropout_scale(p->p);
  const float32x4_t vscale = vdupq_n_f32(scale);
  const int64_t L = p->length;
  auto row = [&](int64_t r, bool keep) {
    float* o = out + r * L;
    const float* x = in + r * L;
    int64_t l = 0;
    if (keep) {
      for (; l + 4 <= L; l += 4) vst1q_f32(o + l, vmulq_f32(vld1q_f32(x + l), vscale));
      for (; l < L; l++) o[l] = x[l] * scale;
    } else {
      const float32x4_t z = vdupq_n_f32(0.0f);
      for (; l + 4 <= L; l += 4) vst1q_f32(o + l, z);
      for (; l < L; l++) o[l] = 0.0f;
    }
  };
  if (L == 1) {
    for_keep(p, rule, r0, r1, [&](int64_t r, int n, const uint32x4_t* keep) {
      if (n == 16) {
        for (int q = 0; q < 4; q++) {
          const float32x4_t v = vmulq_f32(vld1q_f32(in + r + 4 * q), vscale);
          vst1q_f32(out + r + 4 * q, vreinterpretq_f32_u32(vandq_u32(keep[q], vreinterpretq_u32_f32(v))));
        }
      } else {
        out[r] = vgetq_lane_u32(keep[0], 0) ? in[r] * scale : 0.0f;
      }
    });
  } else {
    for_keep(p, rule, r0, r1, [&](int64_t r, int n, const uint32x4_t* keep) {
      if (n == 16) {
        uint32_t k[16];
        for (int q = 0; q < 4; q++) vst1q_u32(k + 4 * q, keep[q]);
        for (int i = 0; i < 16; i++) row(r + i, k[i] != 0);
      } else {
        row(r, vgetq_lane_u32(keep[0], 0) != 0);
      }
    });
  }
}

void apply(float* out, const float* in, const keel_dropout_params* p) {
  const int64_t L = p->length > 0 ? p->length : 1, R = rows_per_task(L);
  const int64_t tasks = (p->count + R - 1) / R;
  parallel_for(tasks, grain_for(R * L * 8), [&](int64_t b, int64_t e) {
    apply_rows(out, in, p, b * R, e * R < p->count ? e * R : p->count);
  });
}

}  // namespace

void u8_dropout_mask__neon(uint8_t* mask, const keel_dropout_params* p) {
  const int64_t R = rows_per_task(1) * 4;
  const int64_t tasks = (p->count + R - 1) / R;
  parallel_for(tasks, grain_for(R * 4), [&](int64_t b, int64_t e) {
    mask_rows(mask, p, b * R, e * R < p->count ? e * R : p->count);
  });
}

void f32_dropout_forward__neon(float* y, const float* x, const keel_dropout_params* p) { apply(y, x, p); }

void f32_dropout_backward__neon(float* dx, const float* dy, const keel_dropout_params* p) { apply(dx, dy, p); }

void register_dropout_neon(keel_kernels* k) {
  k->dropout_mask = u8_dropout_mask__neon, k->dropout_mask_variant = "neon";
  k->dropout_forward = f32_dropout_forward__neon, k->dropout_forward_variant = "neon";
  k->dropout_backward = f32_dropout_backward__neon, k->dropout_backward_variant = "neon";
  k->dropout1d_mask = u8_dropout_mask__neon, k->dropout1d_mask_variant = "neon";
  k->dropout1d_forward = f32_dropout_forward__neon, k->dropout1d_forward_variant = "neon";
  k->dropout1d_backward = f32_dropout_backward__neon, k->dropout1d_backward_variant = "neon";
}

}  // namespace keel
