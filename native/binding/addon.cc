// The addon's entry point. Exports:
//   detectIsa(): string                    the best CPU level this CPU and OS support
//   supportedIsas(): string[]              every level usable here
//   kernelSet(isa: string): { kernels, variants }   kernel functions bound to that level's table,
//                                          and the variant ("scalar", "avx2", ...) behind each
//   numThreads(): number, setNumThreads(n): the kernels' thread pool (results do not depend on it)
//   cacheSizes(): { l2Bytes, lastLevelBytes, streamingStoreBytes }   what cache-sized choices use
//   setErrorClasses({ OptionError, ShapeError, BackendError }): the classes this env's calls throw
//                                          (native/binding/errors.h)
// The loader (src/backend/loader.ts) picks the level once; tests ask for every supported level.
#include <napi.h>

#include "args.h"
#include "errors.h"
#include "families.h"
#include "keel.h"

namespace keel {
namespace {

const keel_isa kAllIsas[] = {KEEL_ISA_SCALAR, KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON};

Napi::Value DetectIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), keel_isa_name(keel_isa_detect()));
}

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (keel_isa isa : kAllIsas)
    if (keel_isa_supported(isa)) out.Set(i++, Napi::String::New(info.Env(), keel_isa_name(isa)));
  return out;
}

// camelCase kernel names, in the order of KEEL_KERNEL_LIST, for the variants report.
Napi::Object Variants(Napi::Env env, const keel_kernels* t) {
  Napi::Object v = Napi::Object::New(env);
  v.Set("conv1dForward", t->conv1d_forward_variant);
  v.Set("conv1dBackwardData", t->conv1d_backward_data_variant);
  v.Set("conv1dBackwardWeight", t->conv1d_backward_weight_variant);
  v.Set("conv1dBackwardBias", t->conv1d_backward_bias_variant);
  v.Set("batchNorm1dTrainForward", t->batchnorm1d_train_forward_variant);
  v.Set("batchNorm1dEvalForward", t->batchnorm1d_eval_forward_variant);
  v.Set("batchNorm1dBackward", t->batchnorm1d_backward_variant);
  v.Set("dropoutMask", t->dropout_mask_variant);
  v.Set("dropoutForward", t->dropout_forward_variant);
  v.Set("dropoutBackward", t->dropout_backward_variant);
  v.Set("dropout1dMask", t->dropout1d_mask_variant);
  v.Set("dropout1dForward", t->dropout1d_forward_variant);
  v.Set("dropout1dBackward", t->dropout1d_backward_variant);
  v.Set("reluForward", t->relu_forward_variant);
  v.Set("reluBackward", t->relu_backward_variant);
  v.Set("linearForward", t->linear_forward_variant);
  v.Set("linearBackwardData", t->linear_backward_data_variant);
  v.Set("linearBackwardWeight", t->linear_backward_weight_variant);
  v.Set("linearBackwardBias", t->linear_backward_bias_variant);
  v.Set("batchNorm1dReluDropoutForward", t->bn_relu_dropout_forward_variant);
  v.Set("batchNorm1dReluDropoutBackward", t->bn_relu_dropout_backward_variant);
  v.Set("adamUpdate", t->adam_update_variant);
  v.Set("sgdUpdate", t->sgd_update_variant);
  v.Set("conv1dForwardStats", t->conv1d_forward_stats_variant);
  v.Set("conv1dReluForward", t->conv1d_relu_forward_variant);
  v.Set("batchNorm1dReluDropoutForwardWithStats", t->bn_relu_dropout_forward_with_stats_variant);
  v.Set("nonFiniteIndex", t->nonfinite_index_variant);
  v.Set("adamUpdateMulti", t->adam_update_multi_variant);
  v.Set("linearForwardStats", t->linear_forward_stats_variant);
  v.Set("gatherRows", t->gather_rows_variant);
  v.Set("batchNorm1dReluDropoutBackwardWithOutput", t->bn_relu_dropout_backward_with_output_variant);
  return v;
}

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), keel_num_threads());
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Value v = info[0];
  const double n = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(n >= 1 && n <= 1024 && n == (double)(int)n))
    ThrowError(info.Env(), ErrorKind::kOptionValue,
               "setNumThreads: threads must be an integer in [1, 1024], got " + Describe(v));
  if (keel_set_num_threads((int)n) == -2)
    ThrowError(info.Env(), ErrorKind::kBackend,
               "setNumThreads: the system refused to start " + std::to_string((int)n) + " threads; the pool runs with " +
                   std::to_string(keel_num_threads()));
  return info.Env().Undefined();
}

Napi::Value CacheSizes(const Napi::CallbackInfo& info) {
  keel_cache_sizes c;
  keel_cache_info(&c);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("l2Bytes", (double)c.l2_bytes);
  o.Set("lastLevelBytes", (double)c.last_level_bytes);
  o.Set("streamingStoreBytes", (double)c.streaming_store_bytes);
  return o;
}

// Bytes from the start of an ArrayBuffer's memory to its first 64-byte boundary. The JS allocator
// (src/tensor/storage.ts) starts large tensors there: Node's allocator returns addresses 16 bytes past
// a cache line, where every full-width AVX-512 load or store would straddle two lines.
Napi::Value AlignmentOffset(const Napi::CallbackInfo& info) {
  if (!info[0].IsArrayBuffer())
    ThrowError(info.Env(), ErrorKind::kOptionType, "alignmentOffset: buffer must be an ArrayBuffer, got " + Describe(info[0]));
  const uintptr_t address = (uintptr_t)info[0].As<Napi::ArrayBuffer>().Data();
  return Napi::Number::New(info.Env(), (double)((64 - address % 64) % 64));
}

Napi::Value KernelSet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  keel_isa isa;
  if (!info[0].IsString() || keel_isa_parse(info[0].As<Napi::String>().Utf8Value().c_str(), &isa) != 0)
    ThrowError(env, ErrorKind::kOptionType,
               "kernelSet: isa must be one of \"scalar\", \"avx2\", \"avx512\", \"neon\", got " + Describe(info[0]));
  const keel_kernels* t = keel_kernels_for(isa);
  if (!t)
    ThrowError(env, ErrorKind::kBackend,
               std::string("kernelSet: this CPU/OS does not support ") + keel_isa_name(isa) +
                   " (best supported: " + keel_isa_name(keel_isa_detect()) + ")");
  Napi::Object kernels = Napi::Object::New(env);
  AddConv1d(env, kernels, t);
  AddBatchNorm1d(env, kernels, t);
  AddDropout(env, kernels, t);
  AddRelu(env, kernels, t);
  AddLinear(env, kernels, t);
  AddFused(env, kernels, t);
  AddOptim(env, kernels, t);
  AddGather(env, kernels, t);
  Napi::Object out = Napi::Object::New(env);
  out.Set("kernels", kernels);
  out.Set("variants", Variants(env, t));
  return out;
}

// setErrorClasses({ OptionError, ShapeError, BackendError }): the classes of src/errors.ts, kept in this
// env's instance data. All three are checked before any is kept. Called again, it replaces them in
// place: napi_set_instance_data would drop the old data without running its finalizer.
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject())
    ThrowError(env, ErrorKind::kOptionType, "setErrorClasses: classes must be an object, got " + Describe(info[0]));
  Napi::Object given = info[0].As<Napi::Object>();
  const char* names[] = {"OptionError", "ShapeError", "BackendError"};
  Napi::Function fns[3];
  for (int i = 0; i < 3; i++) {
    Napi::Value v = given.Get(names[i]);
    if (!v.IsFunction())
      ThrowError(env, ErrorKind::kOptionType,
                 std::string("setErrorClasses: classes.") + names[i] + " must be a function, got " + Describe(v));
    fns[i] = v.As<Napi::Function>();
  }
  ErrorClasses* classes = env.GetInstanceData<ErrorClasses>();
  if (!classes) {
    classes = new ErrorClasses();
    env.SetInstanceData(classes);
  }
  classes->option.Reset(fns[0], 1);
  classes->shape.Reset(fns[1], 1);
  classes->backend.Reset(fns[2], 1);
  return env.Undefined();
}

}  // namespace
}  // namespace keel

static Napi::Object InitKeel(Napi::Env env, Napi::Object exports) {
  using namespace keel;
  exports.Set("detectIsa", Napi::Function::New(env, DetectIsa, "detectIsa"));
  exports.Set("supportedIsas", Napi::Function::New(env, SupportedIsas, "supportedIsas"));
  exports.Set("kernelSet", Napi::Function::New(env, KernelSet, "kernelSet"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("cacheSizes", Napi::Function::New(env, CacheSizes, "cacheSizes"));
  exports.Set("alignmentOffset", Napi::Function::New(env, AlignmentOffset, "alignmentOffset"));
  exports.Set("setErrorClasses", Napi::Function::New(env, SetErrorClasses, "setErrorClasses"));
  return exports;
}

NODE_API_MODULE(keel, InitKeel)
