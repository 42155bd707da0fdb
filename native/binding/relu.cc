// N-API wrappers of the relu kernels (elementwise: in place is allowed, no overlap check).
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
  TableOf(info)->relu_backward(dx, dy, y, &p);
  return info.Env().Undefined();
}

}  // namespace

void AddRelu(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "reluForward", Forward, t);
  AddKernel(env, set, "reluBackward", Backward, t);
}

}  // namespace keel
