// Conv1d, scalar: the portable fallback and the C++-side reference, a port of src/ref/conv1d.ts
// with the same loop and accumulation order (double accumulators, bias added last).
//
//   y[n, co, t]  = sum_{ci in group(co), j} x[n, ci, t*s - padL + j*d] * w[co, ci - g0, j]  (+ b[co])
//   dx[n, ci, u] = sum_{co in group(ci), j, t : t*s - padL + j*d = u} dy[n, co, t] * w[co, ci - g0, j]
//   dw[co, ci, j] = sum_{n, t} dy[n, co, t] * x[n, g0 + ci, t*s - padL + j*d]
//   db[co]       = sum_{n, t} dy[n, co, t]
// where reads of x outside [0, L_in) are the zero padding.
#include "keel.h"
#include "conv1d.h"
#include "conv1d-stats.h"

extern "C" int64_t keel_conv1d_out_length(const keel_conv1d_params* p) {
  const int64_t span = p->dilation * (p->kernel_size - 1) + 1;
  const int64_t padded = p->in_length + p->pad_left + p->pad_right;
  if (padded < span) return 0;
  return (padded - span) / p->stride + 1;
}

namespace keel {

void f32_conv1d_forward__scalar(float* y, const float* x, const float* w, const float* bias,
                                const keel_conv1d_params* p) {
  const int64_t L = p->in_length, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t cin_g = p->in_channels / p->groups, cout_g = p->out_channels / p->groups;
  for (int64_t n = 0; n < p->batch; n++) {
    for (int64_t co = 0; co < p->out_channels; co++) {
      const int64_t g0 = (co / cout_g) * cin_g;
      float* yrow = y + (n * p->out_channels + co) * Lout;
      for (int64_t t = 0; t < Lout; t++) {
        double acc = 0.0;
        for (int64_t ci = 0; ci < cin_g; ci++) {
          const float* xrow = x + (n * p->in_channels + g0 + ci) * L;
          const float* wrow = w + (co * cin_g + ci) * K;
          for (int64_t j = 0; j < K; j++) {
            const int64_t u = t * p->stride - p->pad_left + j * p->dilation;
            if (u >= 0 && u < L) acc += (double)xrow[u] * (double)wrow[j];
          }
        }
        if (bias) acc += (double)bias[co];
        yrow[t] = (float)acc;
      }
    }
  }
}

void f32_conv1d_backward_data__scalar(float* dx, const float* dy, const float* w,
                                      const keel_conv1d_params* p) {
  const int64_t L = p->in_length, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t cin_g = p->in_channels / p->groups, cout_g = p->out_channels / p->groups;
  for (int64_t n = 0; n < p->batch; n++) {
    for (int64_t ci_all = 0; ci_all < p->in_channels; ci_all++) {
      const int64_t g = ci_all / cin_g, ci = ci_all - g * cin_g;
      float* dxrow = dx + (n * p->in_channels + ci_all) * L;
      for (int64_t u = 0; u < L; u++) {
        double acc = 0.0;
        for (int64_t co = g * cout_g; co < (g + 1) * cout_g; co++) {
          const float* dyrow = dy + (n * p->out_channels + co) * Lout;
          const float* wrow = w + (co * cin_g + ci) * K;
          for (int64_t j = 0; j < K; j++) {
            const int64_t num = u + p->pad_left - j * p->dilation;  // = t * stride
            if (num < 0 || num % p->stride != 0) continue;
            const int64_t t = num / p->stride;
            if (t < Lout) acc += (double)dyrow[t] * (double)wrow[j];
          }
        }
        dxrow[u] = (float)acc;
      }
    }
  }
}

void f32_conv1d_backward_weight__scalar(float* dw, const float* x, const float* dy,
                                        const keel_conv1d_params* p) {
  const int64_t L = p->in_length, K = p->kernel_size, Lout = keel_conv1d_out_length(p);
  const int64_t cin_g = p->in_channels / p->groups, cout_g = p->out_channels / p->groups;
  for (int64_t co = 0; co < p->out_channels; co++) {
    const int64_t g0 = (co / cout_g) * cin_g;
    for (int64_t ci = 0; ci < cin_g; ci++) {
      for (int64_t j = 0; j < K; j++) {
        double acc = 0.0;
        for (int64_t n = 0; n < p->batch; n++) {
          const float* dyrow = dy + (n * p->out_channels + co) * Lout;
          const float* xrow = x + (n * p->in_channels + g0 + ci) * L;
          for (int64_t t = 0; t < Lout; t++) {
            const int64_t u = t * p->stride - p->pad_left + j * p->dilation;
            if (u >= 0 && u < L) acc += (double)dyrow[t] * (double)xrow[u];
          }
        }
        dw[(co * cin_g + ci) * K + j] = (float)acc;
      }
    }
  }
}

void f32_conv1d_backward_bias__scalar(float* db, const float* dy, const keel_conv1d_params* p) {
  const int64_t Lout = keel_conv1d_out_length(p);
  for (int64_t co = 0; co < p->out_channels; co++) {
    double acc = 0.0;
    for (int64_t n = 0; n < p->batch; n++) {
      const float* dyrow = dy + (n * p->out_channels + co) * Lout;
      for (int64_t t = 0; t < Lout; t++) acc += (double)dyrow[t];
    }
    db[co] = (float)acc;
  }
}

void f32_conv1d_forward_stats__scalar(float* y, double* mean, double* var, const float* x, const float* w,
                                     const float* bias, const keel_conv1d_params* p) {
  conv_stats_by_sample(f32_conv1d_forward__scalar, y, mean, var, x, w, bias, p);
}

void f32_conv1d_relu_forward__scalar(float* y, const float* x, const float* w, const float* bias,
                                     const keel_conv1d_params* p) {
  conv_then_relu(f32_conv1d_forward__scalar, y, x, w, bias, p);
}

}  // namespace keel
