// N-API wrapper of the gather kernel: unwrap, check (as src/ref/gather.ts does), call.
#include "args.h"
#include "families.h"

namespace keel {
namespace {

// gatherRows(out, src, indices, { rows, rowLength, srcRows })
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  KernelArgs a(info, "gatherRows", 3);
  keel_gather_params p{};
  p.rows = a.Int("rows", 0);
  p.row_length = a.Int("rowLength", 0);
  p.src_rows = a.Int("srcRows", 0);
  float* out = a.Floats(0, "out", a.SizeOf({{"rows", p.rows}, {"rowLength", p.row_length}}));
  const float* src = a.Floats(1, "src", a.SizeOf({{"srcRows", p.src_rows}, {"rowLength", p.row_length}}));
  const int32_t* indices = a.Indices(2, "indices", a.SizeOf({{"rows", p.rows}}), p.src_rows, "srcRows");
  a.Disjoint({a.SpanOf(0, "out")}, {a.SpanOf(1, "src"), a.SpanOf(2, "indices")});
  TableOf(info)->gather_rows(out, src, indices, &p);
  return info.Env().Undefined();
}

}  // namespace

void AddGather(Napi::Env env, Napi::Object set, const keel_kernels* t) { AddKernel(env, set, "gatherRows", GatherRows, t); }

}  // namespace keel
