// BatchNorm1d, scalar: a port of src/ref/batchnorm1d.ts (same loops, same order, double
// accumulation). Per channel c, over the M = N*L values x_i of that channel:
//
//   training forward:  mean = (1/M) sum x_i                       (pass 1)
//                      var  = (1/M) sum (x_i - mean)^2              (pass 2; never E[x^2] - E[x]^2)
//                      invstd = 1 / sqrt(var + eps)
//                      y_i = (x_i - mean) * invstd * w + b
//                      running_mean = (1 - f) running_mean + f mean
//                      running_var  = (1 - f) running_var  + f var * M / (M - 1)   (unbiased)
//   eval forward:      y_i = (x_i - running_mean) / sqrt(running_var + eps) * w + b
//   backward:          xhat_i = (x_i - mean) * invstd
//                      dbias = sum dy_i,  dweight = sum dy_i xhat_i
//                      training: dx_i = w invstd (dy_i - dbias/M - xhat_i dweight/M)
//                      eval:     dx_i = w invstd dy_i
// Double accumulators keep the sums exact far past 2^24 values per channel.
// Threads: channels are independent, so each channel is one task of the pool (parallel.h), computed
// by one thread with exactly the reference's loops: results are identical for any thread count.
#include <math.h>

#include "keel.h"
#include "batchnorm1d.h"
#include "parallel.h"

namespace keel {

void f32_batchnorm1d_train_forward__scalar(float* y, float* save_mean, float* save_invstd,
                                           float* running_mean, float* running_var, const float* x,
                                           const float* weight, const float* bias,
                                           const keel_batchnorm1d_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L), f = p->exponential_average_factor;
  parallel_for(C, grain_for(N * L * (int64_t)sizeof(float)), [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; c++) {
      double sum = 0.0;
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) sum += (double)xr[l];
      }
      const double mean = sum / M;
      double sq = 0.0;
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) {
          const double d = (double)xr[l] - mean;
          sq += d * d;
        }
      }
      const double var = sq / M;
      const double invstd = 1.0 / sqrt(var + p->eps);
      save_mean[c] = (float)mean;
      save_invstd[c] = (float)invstd;
      if (running_mean) {
        running_mean[c] = (float)((1.0 - f) * (double)running_mean[c] + f * mean);
        running_var[c] = (float)((1.0 - f) * (double)running_var[c] + f * (var * M / (M - 1.0)));
      }
      const double w = weight ? (double)weight[c] : 1.0, b = bias ? (double)bias[c] : 0.0;
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * L;
        float* yr = y + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) yr[l] = (float)(((double)xr[l] - mean) * invstd * w + b);
      }
    }
  });
}

void f32_batchnorm1d_eval_forward__scalar(float* y, const float* x, const float* running_mean,
                                          const float* running_var, const float* weight,
                                          const float* bias, const keel_batchnorm1d_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  parallel_for(C, grain_for(N * L * (int64_t)sizeof(float)), [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; c++) {
      const double mean = (double)running_mean[c];
      const double invstd = 1.0 / sqrt((double)running_var[c] + p->eps);
      const double w = weight ? (double)weight[c] : 1.0, b = bias ? (double)bias[c] : 0.0;
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * L;
        float* yr = y + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) yr[l] = (float)(((double)xr[l] - mean) * invstd * w + b);
      }
    }
  });
}

void f32_batchnorm1d_backward__scalar(float* dx, float* dweight, float* dbias, const float* dy,
                                      const float* x, const float* mean, const float* invstd,
                                      const float* weight,
                                      const keel_batchnorm1d_backward_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L);
  parallel_for(C, grain_for(2 * N * L * (int64_t)sizeof(float)), [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; c++) {
      const double mu = (double)mean[c], is = (double)invstd[c];
      double sum_dy = 0.0, sum_dy_xhat = 0.0;
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * L;
        const float* dyr = dy + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) {
          sum_dy += (double)dyr[l];
          sum_dy_xhat += (double)dyr[l] * (((double)xr[l] - mu) * is);
        }
      }
      if (dweight) dweight[c] = (float)sum_dy_xhat;
      if (dbias) dbias[c] = (float)sum_dy;
      const double k = (weight ? (double)weight[c] : 1.0) * is;
      const double mean_dy = sum_dy / M, mean_dy_xhat = sum_dy_xhat / M;
      for (int64_t n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * L;
        const float* dyr = dy + (n * C + c) * L;
        float* dxr = dx + (n * C + c) * L;
        if (p->training) {
          for (int64_t l = 0; l < L; l++) {
            const double xhat = ((double)xr[l] - mu) * is;
            dxr[l] = (float)(k * ((double)dyr[l] - mean_dy - xhat * mean_dy_xhat));
          }
        } else {
          for (int64_t l = 0; l < L; l++) dxr[l] = (float)(k * (double)dyr[l]);
        }
      }
    }
  });
}

}  // namespace keel
