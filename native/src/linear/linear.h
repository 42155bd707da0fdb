// linear kernel variants (one file per ISA) and the family's dispatch registration.
#ifndef KEEL_LINEAR_H_
#define KEEL_LINEAR_H_

#include "keel.h"

namespace keel {

void f32_linear_forward__scalar(float* y, const float* x, const float* w, const float* bias,
                                const keel_linear_params* p);
void f32_linear_forward_stats__scalar(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_linear_params* p);
void f32_linear_backward_data__scalar(float* dx, const float* dy, const float* w,
                                      const keel_linear_params* p);
void f32_linear_backward_weight__scalar(float* dw, const float* x, const float* dy,
                                        const keel_linear_params* p);
void f32_linear_backward_bias__scalar(float* db, const float* dy, const keel_linear_params* p);

void f32_linear_forward__avx2(float* y, const float* x, const float* w, const float* bias,
                              const keel_linear_params* p);
void f32_linear_forward_stats__avx2(float* y, double* mean, double* var, const float* x, const float* w,
                                    const float* bias, const keel_linear_params* p);
void f32_linear_backward_data__avx2(float* dx, const float* dy, const float* w, const keel_linear_params* p);
void f32_linear_backward_weight__avx2(float* dw, const float* x, const float* dy, const keel_linear_params* p);
void f32_linear_backward_bias__avx2(float* db, const float* dy, const keel_linear_params* p);

void f32_linear_forward__avx512(float* y, const float* x, const float* w, const float* bias,
                              const keel_linear_params* p);
void f32_linear_forward_stats__avx512(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_linear_params* p);
void f32_linear_backward_data__avx512(float* dx, const float* dy, const float* w, const keel_linear_params* p);
void f32_linear_backward_weight__avx512(float* dw, const float* x, const float* dy, const keel_linear_params* p);
void f32_linear_backward_bias__avx512(float* db, const float* dy, const keel_linear_params* p);

// The NEON forward with statistics (the other NEON variants register in f32-linear-neon.cc).
void f32_linear_forward_stats__neon(float* y, double* mean, double* var, const float* x, const float* w,
                                    const float* bias, const keel_linear_params* p);

// Fills this family's entries of `k` with the best variant built for `isa` (dispatch.cc).
void register_linear(keel_kernels* k, keel_isa isa);
// Overrides entries with the NEON variants (defined in f32-linear-neon.cc, arm64 only).
void register_linear_neon(keel_kernels* k);

}  // namespace keel

#endif  // KEEL_LINEAR_H_
