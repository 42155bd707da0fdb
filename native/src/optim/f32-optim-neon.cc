// Optimiser updates, NEON (arm64): the kernels of optim-simd.h over 4 float32 lanes, the fused ops
// in two halves of 2 double lanes. Bitwise identical to the scalar variant and the reference
// (AArch64's float division and square root are correctly rounded, like x86's).
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>

#include <atomic>

#include "optim.h"
#include "parallel.h"

namespace keel {
namespace {

struct V {
  using vec = float32x4_t;
  static constexpr int W = 4;
  static vec loadu(const float* p) { return vld1q_f32(p); }
  static void storeu(float* p, vec v) { vst1q_f32(p, v); }
  static vec set1(float f) { return vdupq_n_f32(f); }
  static vec add(vec a, vec b) { return vaddq_f32(a, b); }
  static vec mul(vec a, vec b) { return vmulq_f32(a, b); }
  static vec div(vec a, vec b) { return vdivq_f32(a, b); }
  static vec sqrt(vec a) { return vsqrtq_f32(a); }
  static vec neg(vec a) { return vnegq_f32(a); }
  static float64x2_t fused_half(float64x2_t x, float64x2_t y, float64x2_t z) { return vaddq_f64(x, vmulq_f64(y, z)); }
  static vec fused(vec x, vec y, vec z) {
    const float64x2_t lo = fused_half(vcvt_f64_f32(vget_low_f32(x)), vcvt_f64_f32(vget_low_f32(y)), vcvt_f64_f32(vget_low_f32(z)));
    const float64x2_t hi = fused_half(vcvt_high_f64_f32(x), vcvt_high_f64_f32(y), vcvt_high_f64_f32(z));
    return vcvt_high_f32_f64(vcvt_f32_f64(lo), hi);
  }
  // a > b ? a : b (not FMAX, which orders -0 below +0), and NaN where either is NaN.
  static vec max_nan(vec a, vec b) {
    const vec larger = vbslq_f32(vcgtq_f32(a, b), a, b);
    const uint32x4_t ordered = vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b));
    return vbslq_f32(ordered, larger, vdupq_n_f32(NAN));
  }
  static bool any_nan(vec a) { return vminvq_u32(vceqq_f32(a, a)) == 0; }
};

#include "optim-simd.h"

}  // namespace

void f32_adam_update__neon(float* param, float* m, float* v, float* vmax, const float* grad,
                           const keel_adam_params* p) {
  adam_update_simd(param, m, v, vmax, grad, p);
}

void f32_adam_update_multi__neon(const keel_adam_tensor* ts, int64_t count) { adam_update_multi_simd(ts, count); }

void f32_sgd_update__neon(float* param, float* buf, const float* grad, const keel_sgd_params* p) {
  sgd_update_simd(param, buf, grad, p);
}

int64_t f32_nonfinite_index__neon(const float* x, const keel_eltwise_params* p) { return nonfinite_index_simd(x, p); }

void register_optim_neon(keel_kernels* k) {
  k->adam_update = f32_adam_update__neon, k->adam_update_variant = "neon";
  k->adam_update_multi = f32_adam_update_multi__neon, k->adam_update_multi_variant = "neon";
  k->sgd_update = f32_sgd_update__neon, k->sgd_update_variant = "neon";
  k->nonfinite_index = f32_nonfinite_index__neon, k->nonfinite_index_variant = "neon";
}

}  // namespace keel
