// relu kernel variants (one file per ISA) and the family's dispatch registration.
#ifndef KEEL_RELU_H_
#define KEEL_RELU_H_

#include "keel.h"

namespace keel {

void f32_relu_forward__scalar(float* y, const float* x, const keel_eltwise_params* p);
void f32_relu_backward__scalar(float* dx, const float* dy, const float* y,
                               const keel_eltwise_params* p);

void f32_relu_forward__avx2(float* y, const float* x, const keel_eltwise_params* p);
void f32_relu_backward__avx2(float* dx, const float* dy, const float* y, const keel_eltwise_params* p);
void f32_relu_forward__avx512(float* y, const float* x, const keel_eltwise_params* p);
void f32_relu_backward__avx512(float* dx, const float* dy, const float* y, const keel_eltwise_params* p);
void f32_relu_forward__neon(float* y, const float* x, const keel_eltwise_params* p);
void f32_relu_backward__neon(float* dx, const float* dy, const float* y, const keel_eltwise_params* p);

// Fills this family's entries of `k` with the best variant built for `isa` (dispatch.cc).
void register_relu(keel_kernels* k, keel_isa isa);

}  // namespace keel

#endif  // KEEL_RELU_H_
