// Optimiser updates and the non-finite gradient scan, scalar: ports of src/ref/optim.ts (the math is
// in its header and in keel.h).
// Plain float32 ops are written as double ops rounded to float, which is the same thing for one op
// on float operands; the fused ops (add_ with alpha, addcmul_) are formed in double and rounded
// once, exactly as the reference does, so results are bitwise identical to it. The SIMD variants
// (optim-simd.h) repeat these ops in this order, operand for operand.
#include <math.h>
#include <string.h>

#include "optim.h"

namespace keel {

void f32_adam_update__scalar(float* param, float* m, float* v, float* vmax, const float* grad,
                             const keel_adam_params* p) {
  const double b1 = p->beta1, b2 = p->beta2, omb1 = p->one_minus_beta1, omb2 = p->one_minus_beta2;
  const double wd = p->weight_decay, decay = p->decay, c2 = p->c2_sqrt, eps = p->eps, neg = p->neg_step;
  for (int64_t i = 0; i < p->count; i++) {
    double g = p->maximize ? -(double)grad[i] : (double)grad[i];
    if (p->decoupled) param[i] = (float)((double)param[i] * decay);
    else if (wd != 0.0) g = (float)(g + wd * (double)param[i]);
    const float mi = (float)((double)(float)((double)m[i] * b1) + omb1 * g);
    const float vi = (float)((double)(float)((double)v[i] * b2) + (double)(float)(omb2 * g) * g);
    m[i] = mi;
    v[i] = vi;
    float s = vi;
    if (p->amsgrad) {
      s = (isnan(vmax[i]) || isnan(vi)) ? NAN : (vmax[i] > vi ? vmax[i] : vi);  // Math.max semantics
      vmax[i] = s;
    }
    const float denom = (float)((double)(float)((double)(float)sqrt((double)s) / c2) + eps);
    param[i] = (float)((double)param[i] + (double)(float)((double)(float)(neg * mi) / (double)denom));
  }
}

// The C++-side reference of the multi-tensor kernel: the single-tensor update on each tensor in turn.
void f32_adam_update_multi__scalar(const keel_adam_tensor* ts, int64_t count) {
  for (int64_t k = 0; k < count; k++)
    f32_adam_update__scalar(ts[k].param, ts[k].exp_avg, ts[k].exp_avg_sq, ts[k].max_exp_avg_sq, ts[k].grad, &ts[k].p);
}

// d = ±g; d = d + wd·θ; b = d (first step) or b·μ + (1−τ)·d; d = d + μ·b (nesterov) or b; θ = θ + (−lr)·d.
void f32_sgd_update__scalar(float* param, float* buf, const float* grad, const keel_sgd_params* p) {
  const double wd = p->weight_decay, mu = p->momentum, damp = p->one_minus_dampening, neg_lr = p->neg_lr;
  for (int64_t i = 0; i < p->count; i++) {
    double d = p->maximize ? -(double)grad[i] : (double)grad[i];
    if (wd != 0.0) d = (float)(d + wd * (double)param[i]);
    if (buf) {
      const double b = p->first_step ? d : (double)(float)((double)(float)((double)buf[i] * mu) + damp * d);
      buf[i] = (float)b;
      d = p->nesterov ? (double)(float)(d + mu * b) : b;
    }
    param[i] = (float)((double)param[i] + neg_lr * d);
  }
}

// A float32 is NaN or ±Inf exactly when its 8 exponent bits are all ones. The SIMD variants call this
// to locate the first bad element once a vector block has shown there is one, and for their tails.
int64_t f32_nonfinite_index__scalar(const float* x, const keel_eltwise_params* p) {
  for (int64_t i = 0; i < p->count; i++) {
    uint32_t bits;
    memcpy(&bits, &x[i], sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u) return i;
  }
  return -1;
}

}  // namespace keel
