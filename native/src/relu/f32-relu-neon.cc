// ReLU, NEON: 4 lanes and a scalar tail. Bitwise equal to the scalar twin.
#include <arm_neon.h>

#include "keel.h"
#include "relu.h"

namespace keel {

void f32_relu_forward__neon(float* y, const float* x, const keel_eltwise_params* p) {
  const float32x4_t zero = vdupq_n_f32(0.0f);
  int64_t i = 0;
  for (; i + 4 <= p->count; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    vst1q_f32(y + i, vbslq_f32(vcltq_f32(v, zero), zero, v));  // x < 0 → 0; NaN and -0 kept
  }
  for (; i < p->count; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void f32_relu_backward__neon(float* dx, const float* dy, const float* y, const keel_eltwise_params* p) {
  const float32x4_t zero = vdupq_n_f32(0.0f);
  int64_t i = 0;
  for (; i + 4 <= p->count; i += 4) {
    const uint32x4_t keep = vcgtq_f32(vld1q_f32(y + i), zero);
    vst1q_f32(dx + i, vreinterpretq_f32_u32(vandq_u32(keep, vreinterpretq_u32_f32(vld1q_f32(dy + i)))));
  }
  for (; i < p->count; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace keel
