// Fused-block kernel variants (one file per ISA) and the family's dispatch registration: the
// BatchNorm1d -> ReLU -> Dropout tail of a Conv1d block in one forward and one backward kernel. The
// math is in keel.h and src/ref/fused.ts; f32-fused-scalar.cc is the port of the reference.
#ifndef KEEL_FUSED_H_
#define KEEL_FUSED_H_

#include <math.h>

#include "keel.h"

namespace keel {

void f32_bn_relu_dropout_forward__scalar(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                         float* running_var, const float* x, const float* weight,
                                         const float* bias, const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward__scalar(float* dx, float* dweight, float* dbias, const float* dy,
                                          const float* x, const float* mean, const float* invstd,
                                          const float* weight, const float* bias,
                                          const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_forward__avx512(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                         float* running_var, const float* x, const float* weight,
                                         const float* bias, const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward__avx512(float* dx, float* dweight, float* dbias, const float* dy,
                                          const float* x, const float* mean, const float* invstd,
                                          const float* weight, const float* bias,
                                          const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_forward__avx2(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                       float* running_var, const float* x, const float* weight,
                                       const float* bias, const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward__avx2(float* dx, float* dweight, float* dbias, const float* dy,
                                        const float* x, const float* mean, const float* invstd,
                                        const float* weight, const float* bias,
                                        const keel_bn_relu_dropout_params* p);
// NEON (f32-fused-neon.cc, arm64 only): declared here; fused-dispatch.cc selects them under
// KEEL_HAVE_NEON once that file defines them (see the note there).
void f32_bn_relu_dropout_forward__neon(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                       float* running_var, const float* x, const float* weight,
                                       const float* bias, const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward__neon(float* dx, float* dweight, float* dbias, const float* dy,
                                        const float* x, const float* mean, const float* invstd,
                                        const float* weight, const float* bias,
                                        const keel_bn_relu_dropout_params* p);

// The forward with given batch statistics (keel.h), one per level as above.
void f32_bn_relu_dropout_forward_with_stats__scalar(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                                   float* running_var, const float* x, const double* batch_mean,
                                                   const double* batch_var, const float* weight, const float* bias,
                                                   const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_forward_with_stats__avx2(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                                   float* running_var, const float* x, const double* batch_mean,
                                                   const double* batch_var, const float* weight, const float* bias,
                                                   const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_forward_with_stats__avx512(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                                   float* running_var, const float* x, const double* batch_mean,
                                                   const double* batch_var, const float* weight, const float* bias,
                                                   const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_forward_with_stats__neon(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                                   float* running_var, const float* x, const double* batch_mean,
                                                   const double* batch_var, const float* weight, const float* bias,
                                                   const keel_bn_relu_dropout_params* p);

// The backward given the forward's output y (keel.h), one per level as above.
void f32_bn_relu_dropout_backward_with_output__scalar(float* dx, float* dweight, float* dbias, const float* dy,
                                                     const float* x, const float* y, const float* mean,
                                                     const float* invstd, const float* weight,
                                                     const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward_with_output__avx2(float* dx, float* dweight, float* dbias, const float* dy,
                                                     const float* x, const float* y, const float* mean,
                                                     const float* invstd, const float* weight,
                                                     const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward_with_output__avx512(float* dx, float* dweight, float* dbias, const float* dy,
                                                     const float* x, const float* y, const float* mean,
                                                     const float* invstd, const float* weight,
                                                     const keel_bn_relu_dropout_params* p);
void f32_bn_relu_dropout_backward_with_output__neon(float* dx, float* dweight, float* dbias, const float* dy,
                                                     const float* x, const float* y, const float* mean,
                                                     const float* invstd, const float* weight,
                                                     const keel_bn_relu_dropout_params* p);

// save_mean[c] and save_invstd[c] of the fused forward, and (training, when given) the running
// averages, as keel.h says: training normalises by the batch mean and biased variance that
// moments(&mean, &var) gives (each variant's statistics pass, or statistics the convolution took),
// eval by the running ones. Written once so every level rounds the same. (static: each ISA's
// translation unit keeps its own copy.)
template <typename Moments>
static inline void channel_statistics(const keel_bn_relu_dropout_params* p, int64_t c, const Moments& moments,
                                      float* save_mean, float* save_invstd, float* running_mean, float* running_var) {
  if (!p->training) {
    save_mean[c] = running_mean[c];
    save_invstd[c] = (float)(1.0 / sqrt((double)running_var[c] + p->eps));
    return;
  }
  double mean, var;
  moments(&mean, &var);
  save_mean[c] = (float)mean;
  save_invstd[c] = (float)(1.0 / sqrt(var + p->eps));
  if (running_mean) {
    const double M = (double)(p->batch * p->length), f = p->exponential_average_factor;
    running_mean[c] = (float)((1.0 - f) * (double)running_mean[c] + f * mean);
    running_var[c] = (float)((1.0 - f) * (double)running_var[c] + f * (var * M / (M - 1.0)));
  }
}

// Fills this family's entries of `k` with the best variant built for `isa` (dispatch.cc).
void register_fused(keel_kernels* k, keel_isa isa);

}  // namespace keel

#endif  // KEEL_FUSED_H_
