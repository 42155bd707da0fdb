// N-API wrapper of the optimiser update kernels and the non-finite gradient scan: unwrap, check (as
// src/ref/optim.ts does), call.
#include <math.h>

#include <string>
#include <vector>

#include "args.h"
#include "families.h"

namespace keel {
namespace {

// Adam's params object, checked in adamUpdate's order; `n` is its element count.
keel_adam_params AdamParams(KernelArgs& a, Size* n) {
  keel_adam_params p{};
  p.count = a.Int("count", 0);
  *n = a.SizeOf({{"count", p.count}});
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
  return p;
}

Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "adamUpdate", 5);
  Size n;
  const keel_adam_params p = AdamParams(a, &n);
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

// adamUpdateMulti(tensors): every entry { param, expAvg, expAvgSq, maxExpAvgSq, grad, params } checked
// as adamUpdate checks its arguments, the messages naming "tensors[i].<name>"; then no output of any
// entry may overlap another array of any entry. All of it before any tensor is updated.
Napi::Value AdamUpdateMulti(const Napi::CallbackInfo& info) {
  const char* kernel = "adamUpdateMulti";
  Napi::Env env = info.Env();
  if (!info[0].IsArray())
    ThrowError(env, ErrorKind::kOptionType, std::string(kernel) + ": tensors must be an Array, got " + Describe(info[0]));
  const Napi::Array list = info[0].As<Napi::Array>();
  const uint32_t count = list.Length();
  // The entries' keys, made once per call: a Get by C string makes the JS string at every call.
  static const char* const kFields[] = {"param", "expAvg", "expAvgSq", "maxExpAvgSq", "grad"};
  Napi::String keys[5];
  for (int f = 0; f < 5; f++) keys[f] = Napi::String::New(env, kFields[f]);
  const Napi::String params_key = Napi::String::New(env, "params");
  std::vector<keel_adam_tensor> ts(count);
  std::vector<std::string> prefixes(count);  // "tensors[i].", alive until the overlap check has named its pair
  std::vector<Span> outputs, inputs;
  outputs.reserve(4 * (size_t)count), inputs.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    const Napi::Value e = list.Get(i);
    prefixes[i] = "tensors[" + std::to_string(i) + "].";
    if (!e.IsObject() || e.IsFunction() || e.IsArray())
      ThrowError(env, ErrorKind::kOptionType,
                 std::string(kernel) + ": tensors[" + std::to_string(i) + "] must be an object, got " + Describe(e));
    const Napi::Object o = e.As<Napi::Object>();
    KernelArgs a(info, kernel, o.Get(params_key), prefixes[i].c_str());
    keel_adam_tensor& t = ts[i];
    Size n;
    t.p = AdamParams(a, &n);
    float* arrays[5] = {};
    for (int f = 0; f < 5; f++) {
      const bool used = f != 3 || t.p.amsgrad;  // maxExpAvgSq is not read without amsgrad
      const Napi::Value v = used ? o.Get(keys[f]) : env.Null();
      if (used) arrays[f] = a.Floats(v, kFields[f], n);
      (f == 4 ? inputs : outputs).push_back(a.SpanOf(v, kFields[f]));
    }
    t.param = arrays[0], t.exp_avg = arrays[1], t.exp_avg_sq = arrays[2], t.max_exp_avg_sq = arrays[3], t.grad = arrays[4];
  }
  Disjoint(env, kernel, outputs, inputs);
  TableOf(info)->adam_update_multi(ts.data(), (int64_t)count);
  return env.Undefined();
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
  AddKernel(env, set, "adamUpdateMulti", AdamUpdateMulti, t);
  AddKernel(env, set, "sgdUpdate", SgdUpdate, t);
  AddKernel(env, set, "nonFiniteIndex", NonFiniteIndex, t);
}

}  // namespace keel
