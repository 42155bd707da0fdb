// N-API wrappers of the batchnorm1d kernels: unwrap, check (as src/ref/batchnorm1d.ts does), call.
#include <math.h>

#include "args.h"
#include "families.h"

namespace keel {
namespace {

struct Dims {
  int64_t batch, channels, length;
  Size x, c;
};

Dims ReadDims(KernelArgs& a) {
  Dims d;
  d.batch = a.Int("batch", 0);
  d.channels = a.Int("channels", 1);
  d.length = a.Int("length", 1);
  d.x = a.SizeOf({{"batch", d.batch}, {"channels", d.channels}, {"length", d.length}});
  d.c = a.SizeOf({{"channels", d.channels}});
  return d;
}

Napi::Value TrainForward(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "batchNorm1dTrainForward", 8);
  const Dims d = ReadDims(a);
  keel_batchnorm1d_params p{d.batch, d.channels, d.length, 0.0, 0.0};
  p.eps = a.Number("eps", 0.0, INFINITY);
  p.exponential_average_factor = a.Number("momentum", 0.0, 1.0);
  float* y = a.Floats(0, "y", d.x);
  float* save_mean = a.Floats(1, "saveMean", d.c);
  float* save_invstd = a.Floats(2, "saveInvstd", d.c);
  float* running_mean = a.OptionalFloats(3, "runningMean", d.c);
  float* running_var = a.OptionalFloats(4, "runningVar", d.c);
  if ((running_mean == nullptr) != (running_var == nullptr))
    a.Throw(ErrorKind::kOptionType, "runningMean and runningVar must both be given or both be null");
  const float* x = a.Floats(5, "x", d.x);
  const float* weight = a.OptionalFloats(6, "weight", d.c);
  const float* bias = a.OptionalFloats(7, "bias", d.c);
  if ((double)d.batch * (double)d.length <= 1.0)
    a.Throw(ErrorKind::kShape, "expected more than 1 value per channel when training, got batch*length = " +
                 std::to_string(d.batch * d.length));
  a.Disjoint({a.SpanOf(0, "y"), a.SpanOf(1, "saveMean"), a.SpanOf(2, "saveInvstd"), a.SpanOf(3, "runningMean"),
              a.SpanOf(4, "runningVar")},
             {a.SpanOf(5, "x"), a.SpanOf(6, "weight"), a.SpanOf(7, "bias")});
  TableOf(info)->batchnorm1d_train_forward(y, save_mean, save_invstd, running_mean, running_var, x, weight, bias, &p);
  return info.Env().Undefined();
}

Napi::Value EvalForward(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "batchNorm1dEvalForward", 6);
  const Dims d = ReadDims(a);
  keel_batchnorm1d_params p{d.batch, d.channels, d.length, 0.0, 0.0};
  p.eps = a.Number("eps", 0.0, INFINITY);
  float* y = a.Floats(0, "y", d.x);
  const float* x = a.Floats(1, "x", d.x);
  const float* running_mean = a.Floats(2, "runningMean", d.c);
  const float* running_var = a.Floats(3, "runningVar", d.c);
  const float* weight = a.OptionalFloats(4, "weight", d.c);
  const float* bias = a.OptionalFloats(5, "bias", d.c);
  a.Disjoint({a.SpanOf(0, "y")}, {a.SpanOf(1, "x"), a.SpanOf(2, "runningMean"), a.SpanOf(3, "runningVar"),
                                  a.SpanOf(4, "weight"), a.SpanOf(5, "bias")});
  TableOf(info)->batchnorm1d_eval_forward(y, x, running_mean, running_var, weight, bias, &p);
  return info.Env().Undefined();
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "batchNorm1dBackward", 8);
  const Dims d = ReadDims(a);
  keel_batchnorm1d_backward_params p{d.batch, d.channels, d.length, 0};
  p.training = a.Bool("training") ? 1 : 0;
  float* dx = a.Floats(0, "dx", d.x);
  float* dweight = a.OptionalFloats(1, "dweight", d.c);
  float* dbias = a.OptionalFloats(2, "dbias", d.c);
  const float* dy = a.Floats(3, "dy", d.x);
  const float* x = a.Floats(4, "x", d.x);
  const float* mean = a.Floats(5, "mean", d.c);
  const float* invstd = a.Floats(6, "invstd", d.c);
  const float* weight = a.OptionalFloats(7, "weight", d.c);
  a.Disjoint({a.SpanOf(0, "dx"), a.SpanOf(1, "dweight"), a.SpanOf(2, "dbias")},
             {a.SpanOf(3, "dy"), a.SpanOf(4, "x"), a.SpanOf(5, "mean"), a.SpanOf(6, "invstd"), a.SpanOf(7, "weight")});
  TableOf(info)->batchnorm1d_backward(dx, dweight, dbias, dy, x, mean, invstd, weight, &p);
  return info.Env().Undefined();
}

}  // namespace

void AddBatchNorm1d(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "batchNorm1dTrainForward", TrainForward, t);
  AddKernel(env, set, "batchNorm1dEvalForward", EvalForward, t);
  AddKernel(env, set, "batchNorm1dBackward", Backward, t);
}

}  // namespace keel
