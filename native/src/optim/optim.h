// Optimiser update kernel variants (one file per ISA) and the family's dispatch registration.
#ifndef KEEL_OPTIM_H_
#define KEEL_OPTIM_H_

#include "keel.h"

namespace keel {

void f32_adam_update__scalar(float* param, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
                             const float* grad, const keel_adam_params* p);
void f32_adam_update__avx512(float* param, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
                             const float* grad, const keel_adam_params* p);

void register_optim(keel_kernels* k, keel_isa isa);

}  // namespace keel

#endif  // KEEL_OPTIM_H_
