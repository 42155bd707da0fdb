// N-API wrappers of the relu kernels. Elementwise: an output may be an input exactly (in place), but any
// other overlap is refused, as in src/ref/relu.ts (the result would depend on the CPU level).
#include "args.h"
#include "families.h"

namespace keel {
namespace {

Napi::Value Forward(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "reluForward", 2);
  keel_eltwise_params p{a.Int("count", 0)};
  const Size n = a.SizeOf({{"count", p.count}});
  float* y = a.Floats(0, "y", n);
  const float* x = a.Floats(1, "x", n);
  const Span ys = a.SpanOf(0, "y");
  a.Disjoint({ys}, {UnlessSame(a.SpanOf(1, "x"), ys)});
  TableOf(info)->relu_forward(y, x, &p);
  return info.Env().Undefined();
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "reluBackward", 3);
  keel_eltwise_params p{a.Int("count", 0)};
  const Size n = a.SizeOf({{"count", p.count}});
  float* dx = a.Floats(0, "dx", n);
  const float* dy = a.Floats(1, "dy", n);
  const float* y = a.Floats(2, "y", n);
  const Span dxs = a.SpanOf(0, "dx");
  a.Disjoint({dxs}, {UnlessSame(a.SpanOf(1, "dy"), dxs), UnlessSame(a.SpanOf(2, "y"), dxs)});
  TableOf(info)->relu_backward(dx, dy, y, &p);
  return info.Env().Undefined();
}

}  // namespace

void AddRelu(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "reluForward", Forward, t);
  AddKernel(env, set, "reluBackward", Backward, t);
}

}  // namespace keel
