// Fused BatchNorm1d -> ReLU -> Dropout, scalar: a port of src/ref/fused.ts (same loops, same order,
// same double arithmetic), so it is bitwise equal to the reference. Per channel c, over the M = N*L
// values of that channel (element i = (n*C + c)*L + l):
//
//   statistics  training: mean = (1/M) sum x, var = (1/M) sum (x - mean)^2 (two passes, double),
//                         invstd = 1/sqrt(var + eps), running stats updated as batchnorm1d does;
//               eval:     mean = running_mean, invstd = 1/sqrt(running_var + eps)
//               save_mean = float(mean), save_invstd = float(invstd)  -- everything below uses these
//   forward     v = float((x - save_mean) * save_invstd * w + b); r = v < 0 ? 0 : v
//               y = keep_i ? r * scale : 0   (float product), keep_i = draw(offset + i) >= threshold
//   backward    v recomputed as in forward (so the ReLU decision is the forward's, bit for bit)
//               g = keep_i && v > 0 ? dy * scale : 0            (stored in dx, read back in pass 2)
//               (_with_output: keep_i && v > 0 is y > 0, the forward's output given)
//               dbias = sum g, dweight = sum g xhat, xhat = (x - mean) * invstd
//               training: dx = w invstd (g - dbias/M - xhat dweight/M);  eval: dx = w invstd g
// Channels are independent tasks of the thread pool: results do not depend on the thread count.
#include <math.h>

#include "keel.h"
#include "fused.h"
#include "parallel.h"
#include "dropout/philox.h"

namespace keel {
namespace {

// Draws of one (seed, stream), computing each Philox block once for its four draws.
class Draws {
 public:
  Draws(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {}
  uint32_t draw(uint64_t d) {
    const uint64_t b = d >> 2;
    if (b != block_) {
      words_ = philox4x32_10((uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream_, (uint32_t)(stream_ >> 32),
                             (uint32_t)seed_, (uint32_t)(seed_ >> 32));
      block_ = b;
    }
    return words_.v[d & 3];
  }

 private:
  uint64_t seed_, stream_, block_ = ~(uint64_t)0;
  Philox4x32 words_{};
};

// keep_i for every element, with p = 0 and p = 1 decided without draws (the result is the same).
struct Keep {
  uint64_t threshold;
  Draws draws;
  uint64_t offset;
  bool operator()(uint64_t i) {
    if (threshold == 0) return true;
    if (threshold > 0xffffffffull) return false;
    return draws.draw(offset + i) >= threshold;
  }
};

}  // namespace

// The training/eval forward; batch_mean/batch_var (both or neither) replace the statistics pass.
static void forward_impl(float* y, float* save_mean, float* save_invstd, float* running_mean, float* running_var,
                         const float* x, const double* batch_mean, const double* batch_var, const float* weight,
                         const float* bias, const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L);
  const float scale = dropout_scale(p->p);
  parallel_for(C, grain_for(N * L * 12), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      channel_statistics(p, c, [&](double* mean, double* var) {
        if (batch_mean) {
          *mean = batch_mean[c];
          *var = batch_var[c];
          return;
        }
        double sum = 0.0;
        for (int64_t n = 0; n < N; n++) {
          const float* xr = x + (n * C + c) * L;
          for (int64_t l = 0; l < L; l++) sum += (double)xr[l];
        }
        *mean = sum / M;
        double sq = 0.0;
        for (int64_t n = 0; n < N; n++) {
          const float* xr = x + (n * C + c) * L;
          for (int64_t l = 0; l < L; l++) {
            const double d = (double)xr[l] - *mean;
            sq += d * d;
          }
        }
        *var = sq / M;
      }, save_mean, save_invstd, running_mean, running_var);
      const double m = (double)save_mean[c], is = (double)save_invstd[c];
      const double w = weight ? (double)weight[c] : 1.0, b = bias ? (double)bias[c] : 0.0;
      Keep keep{dropout_threshold(p->p), Draws(p->seed, p->stream), p->offset};
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) {
          const float v = (float)(((double)x[o + l] - m) * is * w + b);
          const float r = v < 0.0f ? 0.0f : v;
          y[o + l] = keep((uint64_t)(o + l)) ? r * scale : 0.0f;
        }
      }
    }
  });
}

void f32_bn_relu_dropout_forward__scalar(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                         float* running_var, const float* x, const float* weight,
                                         const float* bias, const keel_bn_relu_dropout_params* p) {
  forward_impl(y, save_mean, save_invstd, running_mean, running_var, x, nullptr, nullptr, weight, bias, p);
}

void f32_bn_relu_dropout_forward_with_stats__scalar(float* y, float* save_mean, float* save_invstd, float* running_mean,
                                                   float* running_var, const float* x, const double* batch_mean,
                                                   const double* batch_var, const float* weight, const float* bias,
                                                   const keel_bn_relu_dropout_params* p) {
  forward_impl(y, save_mean, save_invstd, running_mean, running_var, x, batch_mean, batch_var, weight, bias, p);
}

// The backward; given y (the forward's output), g's condition keep && v > 0 is read as y > 0.
static void backward_impl(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* y,
                          const float* mean, const float* invstd, const float* weight, const float* bias,
                          const keel_bn_relu_dropout_params* p) {
  const int64_t N = p->batch, C = p->channels, L = p->length;
  const double M = (double)(N * L);
  const float scale = dropout_scale(p->p);
  parallel_for(C, grain_for(N * L * 16), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const double m = (double)mean[c], is = (double)invstd[c];
      const double w = weight ? (double)weight[c] : 1.0, b = bias ? (double)bias[c] : 0.0;
      Keep keep{dropout_threshold(p->p), Draws(p->seed, p->stream), p->offset};
      double sum_g = 0.0, sum_g_xhat = 0.0;
      for (int64_t n = 0; n < N; n++) {
        const int64_t o = (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) {
          bool pass;
          if (y) {
            pass = y[o + l] > 0.0f;
          } else {
            const float v = (float)(((double)x[o + l] - m) * is * w + b);
            pass = keep((uint64_t)(o + l)) && v > 0.0f;
          }
          const float g = pass ? dy[o + l] * scale : 0.0f;
          dx[o + l] = g;
          sum_g += (double)g;
          sum_g_xhat += (double)g * (((double)x[o + l] - m) * is);
        }
      }
      if (dweight) dweight[c] = (float)sum_g_xhat;
      if (dbias) dbias[c] = (float)sum_g;
      const double k = w * is, mean_g = sum_g / M, mean_g_xhat = sum_g_xhat / M;
      for (int64_t n = 0; n < N; n++) {
        float* dxr = dx + (n * C + c) * L;
        const float* xr = x + (n * C + c) * L;
        if (p->training) {
          for (int64_t l = 0; l < L; l++)
            dxr[l] = (float)(k * ((double)dxr[l] - mean_g - ((double)xr[l] - m) * is * mean_g_xhat));
        } else {
          for (int64_t l = 0; l < L; l++) dxr[l] = (float)(k * (double)dxr[l]);
        }
      }
    }
  });
}

void f32_bn_relu_dropout_backward__scalar(float* dx, float* dweight, float* dbias, const float* dy,
                                          const float* x, const float* mean, const float* invstd,
                                          const float* weight, const float* bias,
                                          const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, nullptr, mean, invstd, weight, bias, p);
}

void f32_bn_relu_dropout_backward_with_output__scalar(float* dx, float* dweight, float* dbias, const float* dy,
                                                     const float* x, const float* y, const float* mean,
                                                     const float* invstd, const float* weight,
                                                     const keel_bn_relu_dropout_params* p) {
  backward_impl(dx, dweight, dbias, dy, x, y, mean, invstd, weight, nullptr, p);
}

}  // namespace keel
