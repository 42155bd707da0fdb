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

// One entry of adamUpdateMulti as read from JS: its checked params and its array values, no pointers.
struct AdamEntry {
  KernelArgs args;  // the entry's params and message prefix
  keel_adam_params p;
  Size n;
  Napi::Value arrays[5];  // param, expAvg, expAvgSq, maxExpAvgSq (null without amsgrad), grad
};

const char* const kAdamFields[] = {"param", "expAvg", "expAvgSq", "maxExpAvgSq", "grad"};

// Reads entry i: every property get, and so every getter, of the entry happens here. Its arrays are
// checked now, so that the first bad argument is the one src/ref/optim.ts reports, but no pointer is
// kept: a later getter may still resize or detach them.
AdamEntry ReadAdamEntry(const Napi::CallbackInfo& info, const char* kernel, const Napi::Array& list, uint32_t i,
                        const char* prefix, const Napi::String (&keys)[5], const Napi::String& params_key) {
  Napi::Env env = info.Env();
  const Napi::Value e = list.Get(i);
  if (!e.IsObject() || e.IsFunction() || e.IsArray())
    ThrowError(env, ErrorKind::kOptionType,
               std::string(kernel) + ": tensors[" + std::to_string(i) + "] must be an object, got " + Describe(e));
  const Napi::Object o = e.As<Napi::Object>();
  AdamEntry t{KernelArgs(info, kernel, o.Get(params_key), prefix), {}, {}, {}};
  t.p = AdamParams(t.args, &t.n);
  for (int f = 0; f < 5; f++) {
    const bool used = f != 3 || t.p.amsgrad;  // maxExpAvgSq is not read without amsgrad
    t.arrays[f] = used ? o.Get(keys[f]) : env.Null();
    if (used) t.args.Floats(t.arrays[f], kAdamFields[f], t.n);
  }
  return t;
}

// adamUpdateMulti(tensors): every entry { param, expAvg, expAvgSq, maxExpAvgSq, grad, params } checked
// as adamUpdate checks its arguments, the messages naming "tensors[i].<name>"; then no output of any
// entry may overlap another array of any entry. All of it before any tensor is updated.
// In two passes: a getter of any entry (or of its params) may resize or detach an array of an entry
// already read, so the element pointers are taken only once every JS value of every entry has been
// read, and each array is checked again as its pointer is taken. Nothing in the second pass runs JS
// (but the building of an error message, after which no pointer is used).
Napi::Value AdamUpdateMulti(const Napi::CallbackInfo& info) {
  const char* kernel = "adamUpdateMulti";
  Napi::Env env = info.Env();
  if (!info[0].IsArray())
    ThrowError(env, ErrorKind::kOptionType, std::string(kernel) + ": tensors must be an Array, got " + Describe(info[0]));
  const Napi::Array list = info[0].As<Napi::Array>();
  const uint32_t count = list.Length();
  // The entries' keys, made once per call: a Get by C string makes the JS string at every call.
  Napi::String keys[5];
  for (int f = 0; f < 5; f++) keys[f] = Napi::String::New(env, kAdamFields[f]);
  const Napi::String params_key = Napi::String::New(env, "params");
  std::vector<std::string> prefixes(count);  // "tensors[i].", alive until the overlap check has named its pair
  std::vector<AdamEntry> entries;
  entries.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    prefixes[i] = "tensors[" + std::to_string(i) + "].";
    entries.push_back(ReadAdamEntry(info, kernel, list, i, prefixes[i].c_str(), keys, params_key));
  }
  std::vector<keel_adam_tensor> ts(count);
  std::vector<Span> outputs, inputs;
  outputs.reserve(4 * (size_t)count), inputs.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    AdamEntry& e = entries[i];
    float* arrays[5] = {};
    for (int f = 0; f < 5; f++) {
      if (f != 3 || e.p.amsgrad) arrays[f] = e.args.Floats(e.arrays[f], kAdamFields[f], e.n);
      (f == 4 ? inputs : outputs).push_back(e.args.SpanOf(e.arrays[f], kAdamFields[f]));
    }
    ts[i] = keel_adam_tensor{arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], e.p};
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
