// Optimiser update kernel variants and the non-finite gradient scan (one file per ISA:
// f32-optim-<isa>.cc; the SIMD ones share optim-simd.h) and the family's dispatch registration.
#ifndef KEEL_OPTIM_H_
#define KEEL_OPTIM_H_

#include "keel.h"

namespace keel {

void f32_adam_update__scalar(float* param, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
                             const float* grad, const keel_adam_params* p);
void f32_adam_update__avx2(float* param, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
                           const float* grad, const keel_adam_params* p);
void f32_adam_update__avx512(float* param, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
                             const float* grad, const keel_adam_params* p);
void f32_adam_update_multi__scalar(const keel_adam_tensor* tensors, int64_t count);
void f32_adam_update_multi__avx2(const keel_adam_tensor* tensors, int64_t count);
void f32_adam_update_multi__avx512(const keel_adam_tensor* tensors, int64_t count);

void f32_sgd_update__scalar(float* param, float* momentum_buffer, const float* grad, const keel_sgd_params* p);
void f32_sgd_update__avx2(float* param, float* momentum_buffer, const float* grad, const keel_sgd_params* p);
void f32_sgd_update__avx512(float* param, float* momentum_buffer, const float* grad, const keel_sgd_params* p);

int64_t f32_nonfinite_index__scalar(const float* x, const keel_eltwise_params* p);
int64_t f32_nonfinite_index__avx2(const float* x, const keel_eltwise_params* p);
int64_t f32_nonfinite_index__avx512(const float* x, const keel_eltwise_params* p);

// Fills this family's entries of `k` with the best variant built for `isa` (dispatch.cc).
void register_optim(keel_kernels* k, keel_isa isa);
// Overrides entries with the NEON variants (defined in f32-optim-neon.cc, arm64 only).
void register_optim_neon(keel_kernels* k);

}  // namespace keel

#endif  // KEEL_OPTIM_H_
