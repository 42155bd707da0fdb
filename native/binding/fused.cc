// N-API wrappers of the fused BatchNorm1d -> ReLU -> Dropout kernels: unwrap, check (as
// src/ref/fused.ts does, message for message), call.
#include <math.h>

#include "args.h"
#include "families.h"

namespace keel {
namespace {

struct Dims {
  keel_bn_relu_dropout_params p;
  Size x, c;
};

// Shape, then (forward only) eps and momentum, then training and the dropout randomness: the
// order of readParams in src/ref/fused.ts.
Dims ReadParams(KernelArgs& a, bool forward) {
  Dims d{};
  d.p.batch = a.Int("batch", 0);
  d.p.channels = a.Int("channels", 1);
  d.p.length = a.Int("length", 1);
  d.x = a.SizeOf({{"batch", d.p.batch}, {"channels", d.p.channels}, {"length", d.p.length}});
  d.c = a.SizeOf({{"channels", d.p.channels}});
  if (forward) {
    d.p.eps = a.Number("eps", 0.0, INFINITY);
    d.p.exponential_average_factor = a.Number("momentum", 0.0, 1.0);
  }
  d.p.training = a.Bool("training") ? 1 : 0;
  d.p.p = a.Number("p", 0.0, 1.0);
  d.p.seed = (uint64_t)a.Int("seed", 0);
  d.p.stream = (uint64_t)a.Int("stream", 0);
  d.p.offset = (uint64_t)a.Int("offset", 0);
  a.Limit("offset+count", (double)d.p.offset + (double)d.x.value);
  return d;
}

// The forward, or (given) the forward with batch statistics: argument order and checks of forward()
// in src/ref/fused.ts.
Napi::Value ForwardImpl(const Napi::CallbackInfo& info, const char* kernel, bool given) {
  const size_t shift = given ? 2 : 0;  // batchMean, batchVar after x
  KernelArgs a(info, kernel, 8 + shift);
  const Dims d = ReadParams(a, true);
  float* y = a.Floats(0, "y", d.x);
  float* save_mean = a.Floats(1, "saveMean", d.c);
  float* save_invstd = a.Floats(2, "saveInvstd", d.c);
  float* running_mean = a.OptionalFloats(3, "runningMean", d.c);
  float* running_var = a.OptionalFloats(4, "runningVar", d.c);
  if ((running_mean == nullptr) != (running_var == nullptr))
    a.Throw(ErrorKind::kOptionType, "runningMean and runningVar must both be given or both be null");
  if (given && !d.p.training) a.Throw(ErrorKind::kOptionValue, "params.training must be true when the batch statistics are given, got false");
  if (!d.p.training && running_mean == nullptr)
    a.Throw(ErrorKind::kOptionType, "runningMean and runningVar are required when params.training is false");
  const float* x = a.Floats(5, "x", d.x);
  const double* batch_mean = given ? a.Doubles(6, "batchMean", d.c) : nullptr;
  const double* batch_var = given ? a.Doubles(7, "batchVar", d.c) : nullptr;
  const float* weight = a.OptionalFloats(6 + shift, "weight", d.c);
  const float* bias = a.OptionalFloats(7 + shift, "bias", d.c);
  if (d.p.training && (double)d.p.batch * (double)d.p.length <= 1.0)
    a.Throw(ErrorKind::kShape, "expected more than 1 value per channel when training, got batch*length = " +
                 std::to_string(d.p.batch * d.p.length));
  // y may be x itself (in place), as in src/ref/fused.ts; any other overlap is an error.
  const Span ys = a.SpanOf(0, "y");
  const Span none{"", nullptr, 0};
  a.Disjoint({ys, a.SpanOf(1, "saveMean"), a.SpanOf(2, "saveInvstd"), a.SpanOf(3, "runningMean"), a.SpanOf(4, "runningVar")},
             {UnlessSame(a.SpanOf(5, "x"), ys), given ? a.SpanOf(6, "batchMean") : none,
              given ? a.SpanOf(7, "batchVar") : none, a.SpanOf(6 + shift, "weight"), a.SpanOf(7 + shift, "bias")});
  if (given)
    TableOf(info)->bn_relu_dropout_forward_with_stats(y, save_mean, save_invstd, running_mean, running_var, x, batch_mean,
                                                      batch_var, weight, bias, &d.p);
  else
    TableOf(info)->bn_relu_dropout_forward(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, &d.p);
  return info.Env().Undefined();
}

Napi::Value Forward(const Napi::CallbackInfo& info) {
  return ForwardImpl(info, "batchNorm1dReluDropoutForward", false);
}

Napi::Value ForwardWithStats(const Napi::CallbackInfo& info) {
  return ForwardImpl(info, "batchNorm1dReluDropoutForwardWithStats", true);
}

// The backward, or (output) the backward given the forward's output y after x and without bias:
// argument order and checks of batchNorm1dReluDropoutBackward(WithOutput) in src/ref/fused.ts.
Napi::Value BackwardImpl(const Napi::CallbackInfo& info, const char* kernel, bool output) {
  const size_t shift = output ? 1 : 0;  // y after x
  KernelArgs a(info, kernel, 9);
  const Dims d = ReadParams(a, false);
  float* dx = a.Floats(0, "dx", d.x);
  float* dweight = a.OptionalFloats(1, "dweight", d.c);
  float* dbias = a.OptionalFloats(2, "dbias", d.c);
  const float* dy = a.Floats(3, "dy", d.x);
  const float* x = a.Floats(4, "x", d.x);
  const float* y = output ? a.Floats(5, "y", d.x) : nullptr;
  const float* mean = a.Floats(5 + shift, "mean", d.c);
  const float* invstd = a.Floats(6 + shift, "invstd", d.c);
  const float* weight = a.OptionalFloats(7 + shift, "weight", d.c);
  const float* bias = output ? nullptr : a.OptionalFloats(8, "bias", d.c);
  const Span none{"", nullptr, 0};
  a.Disjoint({a.SpanOf(0, "dx"), a.SpanOf(1, "dweight"), a.SpanOf(2, "dbias")},
             {a.SpanOf(3, "dy"), a.SpanOf(4, "x"), output ? a.SpanOf(5, "y") : none, a.SpanOf(5 + shift, "mean"),
              a.SpanOf(6 + shift, "invstd"), a.SpanOf(7 + shift, "weight"), output ? none : a.SpanOf(8, "bias")});
  if (output)
    TableOf(info)->bn_relu_dropout_backward_with_output(dx, dweight, dbias, dy, x, y, mean, invstd, weight, &d.p);
  else
    TableOf(info)->bn_relu_dropout_backward(dx, dweight, dbias, dy, x, mean, invstd, weight, bias, &d.p);
  return info.Env().Undefined();
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  return BackwardImpl(info, "batchNorm1dReluDropoutBackward", false);
}

Napi::Value BackwardWithOutput(const Napi::CallbackInfo& info) {
  return BackwardImpl(info, "batchNorm1dReluDropoutBackwardWithOutput", true);
}

}  // namespace

void AddFused(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "batchNorm1dReluDropoutForward", Forward, t);
  AddKernel(env, set, "batchNorm1dReluDropoutBackward", Backward, t);
  AddKernel(env, set, "batchNorm1dReluDropoutForwardWithStats", ForwardWithStats, t);
  AddKernel(env, set, "batchNorm1dReluDropoutBackwardWithOutput", BackwardWithOutput, t);
}

}  // namespace keel
