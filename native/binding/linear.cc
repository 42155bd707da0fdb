// N-API wrappers of the linear kernels: unwrap, check (as src/ref/linear.ts does), call.
#include "args.h"
#include "families.h"

namespace keel {
namespace {

struct LinearShape {
  keel_linear_params p;
  Size x, y, w, b;
};

LinearShape Shape(KernelArgs& a) {
  LinearShape s{};
  s.p.batch = a.Int("batch", 0);
  s.p.in_features = a.Int("inFeatures", 1);
  s.p.out_features = a.Int("outFeatures", 1);
  s.x = a.SizeOf({{"batch", s.p.batch}, {"inFeatures", s.p.in_features}});
  s.y = a.SizeOf({{"batch", s.p.batch}, {"outFeatures", s.p.out_features}});
  s.w = a.SizeOf({{"outFeatures", s.p.out_features}, {"inFeatures", s.p.in_features}});
  s.b = a.SizeOf({{"outFeatures", s.p.out_features}});
  return s;
}

Napi::Value Forward(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "linearForward", 4);
  const LinearShape s = Shape(a);
  float* y = a.Floats(0, "y", s.y);
  const float* x = a.Floats(1, "x", s.x);
  const float* w = a.Floats(2, "w", s.w);
  const float* bias = a.OptionalFloats(3, "bias", s.b);
  a.Disjoint({a.SpanOf(0, "y")}, {a.SpanOf(1, "x"), a.SpanOf(2, "w"), a.SpanOf(3, "bias")});
  TableOf(info)->linear_forward(y, x, w, bias, &s.p);
  return info.Env().Undefined();
}

// linearForwardStats(y, mean, variance, x, w, bias, params): checks of src/ref/linear.ts.
Napi::Value ForwardStats(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "linearForwardStats", 6);
  const LinearShape s = Shape(a);
  float* y = a.Floats(0, "y", s.y);
  double* mean = a.Doubles(1, "mean", s.b);
  double* var = a.Doubles(2, "variance", s.b);
  const float* x = a.Floats(3, "x", s.x);
  const float* w = a.Floats(4, "w", s.w);
  const float* bias = a.OptionalFloats(5, "bias", s.b);
  a.Disjoint({a.SpanOf(0, "y"), a.SpanOf(1, "mean"), a.SpanOf(2, "variance")},
             {a.SpanOf(3, "x"), a.SpanOf(4, "w"), a.SpanOf(5, "bias")});
  TableOf(info)->linear_forward_stats(y, mean, var, x, w, bias, &s.p);
  return info.Env().Undefined();
}

Napi::Value BackwardData(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "linearBackwardData", 3);
  const LinearShape s = Shape(a);
  float* dx = a.Floats(0, "dx", s.x);
  const float* dy = a.Floats(1, "dy", s.y);
  const float* w = a.Floats(2, "w", s.w);
  a.Disjoint({a.SpanOf(0, "dx")}, {a.SpanOf(1, "dy"), a.SpanOf(2, "w")});
  TableOf(info)->linear_backward_data(dx, dy, w, &s.p);
  return info.Env().Undefined();
}

Napi::Value BackwardWeight(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "linearBackwardWeight", 3);
  const LinearShape s = Shape(a);
  float* dw = a.Floats(0, "dw", s.w);
  const float* x = a.Floats(1, "x", s.x);
  const float* dy = a.Floats(2, "dy", s.y);
  a.Disjoint({a.SpanOf(0, "dw")}, {a.SpanOf(1, "x"), a.SpanOf(2, "dy")});
  TableOf(info)->linear_backward_weight(dw, x, dy, &s.p);
  return info.Env().Undefined();
}

Napi::Value BackwardBias(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "linearBackwardBias", 2);
  const LinearShape s = Shape(a);
  float* db = a.Floats(0, "db", s.b);
  const float* dy = a.Floats(1, "dy", s.y);
  a.Disjoint({a.SpanOf(0, "db")}, {a.SpanOf(1, "dy")});
  TableOf(info)->linear_backward_bias(db, dy, &s.p);
  return info.Env().Undefined();
}

}  // namespace

void AddLinear(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "linearForward", Forward, t);
  AddKernel(env, set, "linearForwardStats", ForwardStats, t);
  AddKernel(env, set, "linearBackwardData", BackwardData, t);
  AddKernel(env, set, "linearBackwardWeight", BackwardWeight, t);
  AddKernel(env, set, "linearBackwardBias", BackwardBias, t);
}

}  // namespace keel
