// batchnorm1d kernel variants (one file per ISA) and the family's dispatch registration.
#ifndef KEEL_BATCHNORM1D_H_
#define KEEL_BATCHNORM1D_H_

#include "keel.h"

namespace keel {

void f32_batchnorm1d_train_forward__scalar(float* y, float* save_mean, float* save_invstd,
                                           float* running_mean, float* running_var, const float* x,
                                           const float* weight, const float* bias,
                                           const keel_batchnorm1d_params* p);
void f32_batchnorm1d_eval_forward__scalar(float* y, const float* x, const float* running_mean,
                                          const float* running_var, const float* weight,
                                          const float* bias, const keel_batchnorm1d_params* p);
void f32_batchnorm1d_backward__scalar(float* dx, float* dweight, float* dbias, const float* dy,
                                      const float* x, const float* mean, const float* invstd,
                                      const float* weight,
                                      const keel_batchnorm1d_backward_params* p);

// f32-batchnorm1d-avx2.cc (x86-64 only)
void f32_batchnorm1d_train_forward__avx2(float* y, float* save_mean, float* save_invstd,
                                         float* running_mean, float* running_var, const float* x,
                                         const float* weight, const float* bias,
                                         const keel_batchnorm1d_params* p);
void f32_batchnorm1d_eval_forward__avx2(float* y, const float* x, const float* running_mean,
                                        const float* running_var, const float* weight,
                                        const float* bias, const keel_batchnorm1d_params* p);
void f32_batchnorm1d_backward__avx2(float* dx, float* dweight, float* dbias, const float* dy,
                                    const float* x, const float* mean, const float* invstd,
                                    const float* weight, const keel_batchnorm1d_backward_params* p);
// f32-batchnorm1d-avx512.cc (x86-64 only)
void f32_batchnorm1d_train_forward__avx512(float* y, float* save_mean, float* save_invstd,
                                           float* running_mean, float* running_var, const float* x,
                                           const float* weight, const float* bias,
                                           const keel_batchnorm1d_params* p);
void f32_batchnorm1d_eval_forward__avx512(float* y, const float* x, const float* running_mean,
                                          const float* running_var, const float* weight,
                                          const float* bias, const keel_batchnorm1d_params* p);
void f32_batchnorm1d_backward__avx512(float* dx, float* dweight, float* dbias, const float* dy,
                                      const float* x, const float* mean, const float* invstd,
                                      const float* weight, const keel_batchnorm1d_backward_params* p);

// Fills this family's entries of `k` with the best variant built for `isa` (dispatch.cc).
void register_batchnorm1d(keel_kernels* k, keel_isa isa);
// Overrides entries with the NEON variants (defined in f32-batchnorm1d-neon.cc, arm64 only).
void register_batchnorm1d_neon(keel_kernels* k);

}  // namespace keel

#endif  // KEEL_BATCHNORM1D_H_
