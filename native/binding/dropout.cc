// N-API wrappers of the dropout kernels: unwrap, check (as src/ref/dropout.ts does), call.
// Dropout is elementwise: an output may be its input exactly (in place); any other overlap is refused.
#include "args.h"
#include "families.h"

namespace keel {
namespace {

struct Rows {
  keel_dropout_params p;
  Size mask, data;
};

void ReadRandomness(KernelArgs& a, keel_dropout_params& p) {
  p.p = a.Number("p", 0.0, 1.0);
  p.seed = (uint64_t)a.Int("seed", 0);
  p.stream = (uint64_t)a.Int("stream", 0);
  p.offset = (uint64_t)a.Int("offset", 0);
  a.Limit("offset+rows", (double)p.offset + (double)p.count);
}

Rows DropoutRows(KernelArgs& a) {
  Rows r{};
  r.p.count = a.Int("count", 0);
  r.p.length = 1;
  r.mask = r.data = a.SizeOf({{"count", r.p.count}});
  ReadRandomness(a, r.p);
  return r;
}

Rows Dropout1dRows(KernelArgs& a) {
  Rows r{};
  const int64_t batch = a.Int("batch", 0), channels = a.Int("channels", 1), length = a.Int("length", 1);
  r.mask = a.SizeOf({{"batch", batch}, {"channels", channels}});
  r.data = a.SizeOf({{"batch", batch}, {"channels", channels}, {"length", length}});
  r.p.count = r.mask.value;
  r.p.length = length;
  ReadRandomness(a, r.p);
  return r;
}

template <Rows (*RowsOf)(KernelArgs&)>
void Mask(const Napi::CallbackInfo& info, const char* kernel, keel_dropout_mask_fn fn) {
  KernelArgs a(info, kernel, 1);
  const Rows r = RowsOf(a);
  uint8_t* mask = a.Bytes(0, "mask", r.mask);
  fn(mask, &r.p);
}

template <Rows (*RowsOf)(KernelArgs&)>
void Apply(const Napi::CallbackInfo& info, const char* kernel, const char* out_name, const char* in_name,
           keel_dropout_forward_fn fn) {
  KernelArgs a(info, kernel, 2);
  const Rows r = RowsOf(a);
  float* out = a.Floats(0, out_name, r.data);
  const float* in = a.Floats(1, in_name, r.data);
  const Span outs = a.SpanOf(0, out_name);
  a.Disjoint({outs}, {UnlessSame(a.SpanOf(1, in_name), outs)});
  fn(out, in, &r.p);
}

Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  Mask<DropoutRows>(info, "dropoutMask", TableOf(info)->dropout_mask);
  return info.Env().Undefined();
}
Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  Apply<DropoutRows>(info, "dropoutForward", "y", "x", TableOf(info)->dropout_forward);
  return info.Env().Undefined();
}
Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  Apply<DropoutRows>(info, "dropoutBackward", "dx", "dy", TableOf(info)->dropout_backward);
  return info.Env().Undefined();
}
Napi::Value Dropout1dMask(const Napi::CallbackInfo& info) {
  Mask<Dropout1dRows>(info, "dropout1dMask", TableOf(info)->dropout1d_mask);
  return info.Env().Undefined();
}
Napi::Value Dropout1dForward(const Napi::CallbackInfo& info) {
  Apply<Dropout1dRows>(info, "dropout1dForward", "y", "x", TableOf(info)->dropout1d_forward);
  return info.Env().Undefined();
}
Napi::Value Dropout1dBackward(const Napi::CallbackInfo& info) {
  Apply<Dropout1dRows>(info, "dropout1dBackward", "dx", "dy", TableOf(info)->dropout1d_backward);
  return info.Env().Undefined();
}

}  // namespace

void AddDropout(Napi::Env env, Napi::Object set, const keel_kernels* t) {
  AddKernel(env, set, "dropoutMask", DropoutMask, t);
  AddKernel(env, set, "dropoutForward", DropoutForward, t);
  AddKernel(env, set, "dropoutBackward", DropoutBackward, t);
  AddKernel(env, set, "dropout1dMask", Dropout1dMask, t);
  AddKernel(env, set, "dropout1dForward", Dropout1dForward, t);
  AddKernel(env, set, "dropout1dBackward", Dropout1dBackward, t);
}

}  // namespace keel
