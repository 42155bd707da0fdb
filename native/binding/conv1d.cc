// N-API wrappers of the conv1d kernels: unwrap, check (as src/ref/conv1d.ts does), call.
#include "args.h"
#include "families.h"

namespace keel {
namespace {

struct Conv1dShape {
  keel_conv1d_params p;
  Size x, y, w, b;
};

Conv1dShape Shape(KernelArgs& a) {
  keel_conv1d_params p;
  p.batch = a.Int("batch", 0);
  p.in_channels = a.Int("inChannels", 1);
  p.in_length = a.Int("inLength", 1);
  p.out_channels = a.Int("outChannels", 1);
  p.kernel_size = a.Int("kernelSize", 1);
  p.stride = a.Int("stride", 1);
  p.pad_left = a.Int("padLeft", 0);
  p.pad_right = a.Int("padRight", 0);
  p.dilation = a.Int("dilation", 1);
  p.groups = a.Int("groups", 1);
  if (p.in_channels % p.groups != 0 || p.out_channels % p.groups != 0)
    a.Throw(ErrorKind::kOptionValue, "params.groups must divide inChannels (" + std::to_string(p.in_channels) + ") and outChannels (" +
                 std::to_string(p.out_channels) + "), got " + std::to_string(p.groups));
  const int64_t padded =
      a.Limit("inLength+padLeft+padRight", (double)p.in_length + (double)p.pad_left + (double)p.pad_right);
  const int64_t span = a.Limit("dilation*(kernelSize-1)+1", (double)p.dilation * (double)(p.kernel_size - 1) + 1.0);
  if (padded < span)
    a.Throw(ErrorKind::kShape, "the padded input (inLength+padLeft+padRight = " + std::to_string(padded) +
                 ") is shorter than the kernel span (dilation*(kernelSize-1)+1 = " + std::to_string(span) + ")");
  const int64_t cin_g = p.in_channels / p.groups;
  Conv1dShape s{p, {}, {}, {}, {}};
  s.x = a.SizeOf({{"batch", p.batch}, {"inChannels", p.in_channels}, {"inLength", p.in_length}});
  s.y = a.SizeOf({{"batch", p.batch}, {"outChannels", p.out_channels}, {"outLength", keel_conv1d_out_length(&p)}});
  s.w = a.SizeOf({{"outChannels", p.out_channels}, {"(inChannels/groups)", cin_g}, {"kernelSize", p.kernel_size}});
  s.b = a.SizeOf({{"outChannels", p.out_channels}});
  return s;
}

// conv1dForward and conv1dReluForward: the same arguments and checks, another kernel.
Napi::Value ForwardLike(const Napi::CallbackInfo& info, const char* name, keel_conv1d_forward_fn keel_kernels::*kernel) {
  KernelArgs a(info, name, 4);
  const Conv1dShape s = Shape(a);
  float* y = a.Floats(0, "y", s.y);
  const float* x = a.Floats(1, "x", s.x);
  const float* w = a.Floats(2, "w", s.w);
  const float* bias = a.OptionalFloats(3, "bias", s.b);
  a.Disjoint({a.SpanOf(0, "y")}, {a.SpanOf(1, "x"), a.SpanOf(2, "w"), a.SpanOf(3, "bias")});
  (TableOf(info)->*kernel)(y, x, w, bias, &s.p);
  return info.Env().Undefined();
}

Napi::Value Forward(const Napi::CallbackInfo& info) { return ForwardLike(info, "conv1dForward", &keel_kernels::conv1d_forward); }

// conv1dForwardStats(y, mean, variance, x, w, bias, params): checks of src/ref/conv1d-epilogue.ts.
Napi::Value ForwardStats(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "conv1dForwardStats", 6);
  const Conv1dShape s = Shape(a);
  float* y = a.Floats(0, "y", s.y);
  double* mean = a.Doubles(1, "mean", s.b);
  double* var = a.Doubles(2, "variance", s.b);
  const float* x = a.Floats(3, "x", s.x);
  const float* w = a.Floats(4, "w", s.w);
  const float* bias = a.OptionalFloats(5, "bias", s.b);
  a.Disjoint({a.SpanOf(0, "y"), a.SpanOf(1, "mean"), a.SpanOf(2, "variance")},
             {a.SpanOf(3, "x"), a.SpanOf(4, "w"), a.SpanOf(5, "bias")});
  TableOf(info)->conv1d_forward_stats(y, mean, var, x, w, bias, &s.p);
  return info.Env().Undefined();
}

Napi::Value ReluForward(const Napi::CallbackInfo& info) {
  return ForwardLike(info, "conv1dReluForward", &keel_kernels::conv1d_relu_forward);
}

Napi::Value BackwardData(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "conv1dBackwardData", 3);
  const Conv1dShape s = Shape(a);
  float* dx = a.Floats(0, "dx", s.x);
  const float* dy = a.Floats(1, "dy", s.y);
  const float* w = a.Floats(2, "w", s.w);
  a.Disjoint({a.SpanOf(0, "dx")}, {a.SpanOf(1, "dy"), a.SpanOf(2, "w")});
  TableOf(info)->conv1d_backward_data(dx, dy, w, &s.p);
  return info.Env().Undefined();
}

Napi::Value BackwardWeight(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "conv1dBackwardWeight", 3);
  const Conv1dShape s = Shape(a);
  float* dw = a.Floats(0, "dw", s.w);
  const float* x = a.Floats(1, "x", s.x);
  const float* dy = a.Floats(2, "dy", s.y);
  a.Disjoint({a.SpanOf(0, "dw")}, {a.SpanOf(1, "x"), a.SpanOf(2, "dy")});
  TableOf(info)->conv1d_backward_weight(dw, x, dy, &s.p);
  return info.Env().Undefined();
}

Napi::Value BackwardBias(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "conv1dBackwardBias", 2);
  const Conv1dShape s = Shape(a);
  float* db = a.Floats(0, "db", s.b);
  const float* dy = a.Floats(1, "dy", s.y);
  a.Disjoint({a.SpanOf(0, "db")}, {a.SpanOf(1, "dy")});
  TableOf(info)->conv1d_backward_bias(db, dy, &s.p);
  return info.Env().Undefined();
}

}  // namespace

void AddConv1d(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "conv1dForward", Forward, t);
  AddKernel(env, set, "conv1dBackwardData", BackwardData, t);
  AddKernel(env, set, "conv1dBackwardWeight", BackwardWeight, t);
  AddKernel(env, set, "conv1dBackwardBias", BackwardBias, t);
  AddKernel(env, set, "conv1dForwardStats", ForwardStats, t);
  AddKernel(env, set, "conv1dReluForward", ReluForward, t);
}

}  // namespace keel
