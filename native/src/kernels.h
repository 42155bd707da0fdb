// Internal declarations of every kernel variant. Names say dtype, op and ISA (XNNPACK style):
// keel::f32_conv1d_forward__scalar. dispatch.cc assembles them into keel_kernels tables.
#ifndef KEEL_KERNELS_H_
#define KEEL_KERNELS_H_

#include "keel.h"

namespace keel {

void f32_conv1d_forward__scalar(float* y, const float* x, const float* w, const float* bias,
                                const keel_conv1d_params* p);
void f32_conv1d_backward_data__scalar(float* dx, const float* dy, const float* w,
                                      const keel_conv1d_params* p);
void f32_conv1d_backward_weight__scalar(float* dw, const float* x, const float* dy,
                                        const keel_conv1d_params* p);
void f32_conv1d_backward_bias__scalar(float* db, const float* dy, const keel_conv1d_params* p);

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

void u8_dropout_mask__scalar(uint8_t* mask, const keel_dropout_params* p);
void f32_dropout_forward__scalar(float* y, const float* x, const keel_dropout_params* p);
void f32_dropout_backward__scalar(float* dx, const float* dy, const keel_dropout_params* p);

void f32_relu_forward__scalar(float* y, const float* x, const keel_eltwise_params* p);
void f32_relu_backward__scalar(float* dx, const float* dy, const float* y,
                               const keel_eltwise_params* p);

void f32_linear_forward__scalar(float* y, const float* x, const float* w, const float* bias,
                                const keel_linear_params* p);
void f32_linear_backward_data__scalar(float* dx, const float* dy, const float* w,
                                      const keel_linear_params* p);
void f32_linear_backward_weight__scalar(float* dw, const float* x, const float* dy,
                                        const keel_linear_params* p);
void f32_linear_backward_bias__scalar(float* db, const float* dy, const keel_linear_params* p);

}  // namespace keel

#endif  // KEEL_KERNELS_H_
