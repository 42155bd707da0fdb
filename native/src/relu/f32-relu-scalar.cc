// ReLU, scalar: a port of src/ref/relu.ts.
//   forward:  y  = x < 0 ? 0 : x      (NaN propagates, as PyTorch's clamp_min)
//   backward: dx = y > 0 ? dy : 0     (PyTorch's threshold_backward on the output)
#include "keel.h"
#include "relu.h"

namespace keel {

void f32_relu_forward__scalar(float* y, const float* x, const keel_eltwise_params* p) {
  for (int64_t i = 0; i < p->count; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void f32_relu_backward__scalar(float* dx, const float* dy, const float* y,
                               const keel_eltwise_params* p) {
  for (int64_t i = 0; i < p->count; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace keel
