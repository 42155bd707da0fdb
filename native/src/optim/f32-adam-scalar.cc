// Adam/AdamW update, scalar: a port of src/ref/optim.ts (the math is in its header). Plain float32
// ops are written as double ops rounded to float, which is the same thing for one op on float
// operands; the two fused ops (add_ with alpha, addcmul_) are formed in double and rounded once,
// exactly as the reference does, so results are bitwise identical to it.
#include <math.h>

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

}  // namespace keel
