// Linear (GEMM with bias), scalar: a port of src/ref/linear.ts, double accumulation.
//   y[n, o]  = sum_i x[n, i] w[o, i] (+ b[o])         y  = x W^T + b
//   dx[n, i] = sum_o dy[n, o] w[o, i]                 dx = dy W
//   dw[o, i] = sum_n dy[n, o] x[n, i]                 dW = dy^T x
//   db[o]    = sum_n dy[n, o]
// and the forward with BatchNorm's batch statistics of y (linear-stats.h).
#include "keel.h"
#include "linear.h"
#include "parallel.h"

namespace keel {
namespace {
#include "linear-stats.h"
}  // namespace

void f32_linear_forward__scalar(float* y, const float* x, const float* w, const float* bias,
                                const keel_linear_params* p) {
  const int64_t I = p->in_features, O = p->out_features;
  for (int64_t n = 0; n < p->batch; n++) {
    for (int64_t o = 0; o < O; o++) {
      double acc = 0.0;
      for (int64_t i = 0; i < I; i++) acc += (double)x[n * I + i] * (double)w[o * I + i];
      if (bias) acc += (double)bias[o];
      y[n * O + o] = (float)acc;
    }
  }
}

void f32_linear_forward_stats__scalar(float* y, double* mean, double* var, const float* x, const float* w,
                                      const float* bias, const keel_linear_params* p) {
  f32_linear_forward__scalar(y, x, w, bias, p);
  all_column_moments(y, p->out_features, p->batch, p->out_features, mean, var);
}

void f32_linear_backward_data__scalar(float* dx, const float* dy, const float* w,
                                      const keel_linear_params* p) {
  const int64_t I = p->in_features, O = p->out_features;
  for (int64_t n = 0; n < p->batch; n++) {
    for (int64_t i = 0; i < I; i++) {
      double acc = 0.0;
      for (int64_t o = 0; o < O; o++) acc += (double)dy[n * O + o] * (double)w[o * I + i];
      dx[n * I + i] = (float)acc;
    }
  }
}

void f32_linear_backward_weight__scalar(float* dw, const float* x, const float* dy,
                                        const keel_linear_params* p) {
  const int64_t I = p->in_features, O = p->out_features;
  for (int64_t o = 0; o < O; o++) {
    for (int64_t i = 0; i < I; i++) {
      double acc = 0.0;
      for (int64_t n = 0; n < p->batch; n++) acc += (double)dy[n * O + o] * (double)x[n * I + i];
      dw[o * I + i] = (float)acc;
    }
  }
}

void f32_linear_backward_bias__scalar(float* db, const float* dy, const keel_linear_params* p) {
  const int64_t O = p->out_features;
  for (int64_t o = 0; o < O; o++) {
    double acc = 0.0;
    for (int64_t n = 0; n < p->batch; n++) acc += (double)dy[n * O + o];
    db[o] = (float)acc;
  }
}

}  // namespace keel
