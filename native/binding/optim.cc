// N-API wrapper of the optimiser update kernels and the non-finite gradient scan: unwrap, check (as
// src/ref/optim.ts does), call.
#include <math.h>

#include "args.h"
#include "families.h"

namespace keel {
namespace {

Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "adamUpdate", 5);
  keel_adam_params p{};
  p.count = a.Int("count", 0);
  const Size n = a.SizeOf({{"count", p.count}});
  p.beta1 = (float)a.Number("beta1", 0.0, 1.0);
  p.beta2 = (float)a.Number("beta2", 0.0, 1.0);
  p.one_minus_beta1 = (float)a.Number("oneMinusBeta1", 0.0, 1.0);
  p.one_minus_beta2 = (float)a.Number("oneMinusBeta2", 0.0, 1.0);
  p.weight_decay = (float)a.Number("weightDecay", 0.0, INFINITY);
  p.eps = (float)a.Number("eps", 0.0, INFINITY);
  p.decay = (float)a.Number("decay", -INFINITY, INFINITY);
  p.c2_sqrt = (float)a.Number("c2Sqrt", 0.0, 1.0);
  p.neg_step = (float)a.Number("negStep", -INFINITY, INFINITY);
  p.decoupled = a.Bool("decoupled");
  p.maximize = a.Bool("maximize");
  p.amsgrad = a.Bool("amsgrad");
  float* param = a.Floats(0, "param", n);
  float* m = a.Floats(1, "expAvg", n);
  float* v = a.Floats(2, "expAvgSq", n);
  float* vmax = p.amsgrad ? a.Floats(3, "maxExpAvgSq", n) : nullptr;
  const float* grad = a.Floats(4, "grad", n);
  a.Disjoint({a.SpanOf(0, "param"), a.SpanOf(1, "expAvg"), a.SpanOf(2, "expAvgSq"),
              p.amsgrad ? a.SpanOf(3, "maxExpAvgSq") : Span{"maxExpAvgSq", nullptr, 0}},
             {a.SpanOf(4, "grad")});
  TableOf(info)->adam_update(param, m, v, vmax, grad, &p);
  return info.Env().Undefined();
}

Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "sgdUpdate", 3);
  keel_sgd_params p{};
  p.count = a.Int("count", 0);
  const Size n = a.SizeOf({{"count", p.count}});
  p.weight_decay = (float)a.Number("weightDecay", 0.0, INFINITY);
  p.momentum = (float)a.Number("momentum", 0.0, INFINITY);
  p.one_minus_dampening = (float)a.Number("oneMinusDampening", -INFINITY, INFINITY);
  p.neg_lr = (float)a.Number("negLr", -INFINITY, INFINITY);
  p.nesterov = a.Bool("nesterov");
  p.maximize = a.Bool("maximize");
  p.first_step = a.Bool("firstStep");
  float* param = a.Floats(0, "param", n);
  float* buf = a.OptionalFloats(1, "momentumBuffer", n);
  const float* grad = a.Floats(2, "grad", n);
  a.Disjoint({a.SpanOf(0, "param"), a.SpanOf(1, "momentumBuffer")}, {a.SpanOf(2, "grad")});
  TableOf(info)->sgd_update(param, buf, grad, &p);
  return info.Env().Undefined();
}

// The index of the first NaN/±Inf of x, or -1 (a Number: indices stay far below 2^53).
Napi::Value NonFiniteIndex(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "nonFiniteIndex", 1);
  keel_eltwise_params p{};
  p.count = a.Int("count", 0);
  const Size n = a.SizeOf({{"count", p.count}});
  const float* x = a.Floats(0, "x", n);
  return Napi::Number::New(info.Env(), (double)TableOf(info)->nonfinite_index(x, &p));
}

}  // namespace

void AddOptim(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "adamUpdate", AdamUpdate, t);
  AddKernel(env, set, "sgdUpdate", SgdUpdate, t);
  AddKernel(env, set, "nonFiniteIndex", NonFiniteIndex, t);
}

}  // namespace keel
