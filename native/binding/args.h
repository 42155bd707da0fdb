// Argument checks at the binding boundary: the C++ twin of src/ref/args.ts, with the same checks
// in the same order and the same messages, so that a bad call fails identically on both backends.
// Nothing reaches a kernel unchecked: types, integer ranges, sizes (computed exactly as JS does, in
// double, and limited to 2^53 - 1 so they cannot overflow int64), array lengths and overlaps. Each
// failure throws the class args.ts throws (native/binding/errors.h): a wrong type or value of an
// argument, or overlapping outputs, an OptionError; a wrong array length or a size past 2^53 - 1, a
// ShapeError.
#ifndef KEEL_BINDING_ARGS_H_
#define KEEL_BINDING_ARGS_H_

#include <napi.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "keel.h"

namespace keel {

constexpr double kMaxSize = 9007199254740991.0;  // 2^53 - 1

// describe() of src/ref/args.ts: a value's number, type name or constructor name.
std::string Describe(Napi::Value v);

struct Size {
  int64_t value;
  std::string formula;  // "batch*inChannels = 2*3"
};

// A named array argument, for overlap checks; its name in messages is prefix + name.
struct Span {
  const char* name;
  const void* data;
  size_t bytes;
  const char* prefix = "";
};

// The same elements of the same memory (an in-place call), as opposed to a partial overlap.
inline bool SameSpan(const Span& a, const Span& b) { return a.data == b.data && a.bytes == b.bytes; }

// `s`, or an empty span when it is exactly `out` (in place is allowed; any other overlap is not).
inline Span UnlessSame(const Span& s, const Span& out) { return SameSpan(s, out) ? Span{s.name, nullptr, 0, s.prefix} : s; }

class KernelArgs {
 public:
  // params is the last argument of every kernel: info[params_index].
  KernelArgs(const Napi::CallbackInfo& info, const char* kernel, size_t params_index);
  // One entry of a list argument (adamUpdateMulti's tensors[i]): `params` is the entry's params object,
  // and every name in messages gets `prefix` ("tensors[2].params.beta1 must be ...", "tensors[2].grad
  // must have length ..."). The caller keeps `prefix` alive as long as the spans this makes.
  KernelArgs(const Napi::CallbackInfo& info, const char* kernel, Napi::Value params, const char* prefix);

  int64_t Int(const char* field, int64_t min);
  double Number(const char* field, double lo, double hi);
  bool Bool(const char* field);
  // Throws unless value (computed in double, as JS computes it) is at most 2^53 - 1.
  int64_t Limit(const std::string& formula, double value);
  Size SizeOf(std::initializer_list<std::pair<const char*, int64_t>> factors);

  float* Floats(size_t index, const char* name, const Size& size);
  // The same check on a value that is not an argument (a field of an argument).
  float* Floats(Napi::Value v, const char* name, const Size& size);
  float* OptionalFloats(size_t index, const char* name, const Size& size);
  // A Float64Array (statistics kept in double), as KernelArgs.doubles in src/ref/args.ts.
  double* Doubles(size_t index, const char* name, const Size& size);
  uint8_t* Bytes(size_t index, const char* name, const Size& size);
  // An Int32Array of indices, each in [0, bound), as KernelArgs.indices in src/ref/args.ts.
  const int32_t* Indices(size_t index, const char* name, const Size& size, int64_t bound, const char* bound_name);
  // Bytes spanned by argument `index` (0 if absent), for Disjoint.
  Span SpanOf(size_t index, const char* name) const;
  // The same for a value that is not an argument; the span's name gets this entry's prefix.
  Span SpanOf(Napi::Value v, const char* name) const;
  // Outputs must not overlap each other or any input.
  void Disjoint(std::initializer_list<Span> outputs, std::initializer_list<Span> inputs);

  // Throws "<kernel>: <message>" as `kind`.
  [[noreturn]] void Throw(ErrorKind kind, const std::string& message) const;
  const char* kernel() const { return kernel_; }

 private:
  Napi::Value Field(const char* field) const;
  // a_type: the array type with its article, as the message says it ("a Float32Array", "an Int32Array").
  template <typename T>
  T* Typed(Napi::Value v, const char* name, napi_typedarray_type type, const char* a_type, const Size& size);

  const Napi::CallbackInfo& info_;
  const char* kernel_;
  const char* prefix_;
  Napi::Object params_;
};

// Disjoint over lists of any length (a kernel over a list of tensors), as "<kernel>: a and b share memory...".
void Disjoint(Napi::Env env, const char* kernel, const std::vector<Span>& outputs, const std::vector<Span>& inputs);

// The table a kernel function was created for (the function's data pointer).
inline const keel_kernels* TableOf(const Napi::CallbackInfo& info) {
  return static_cast<const keel_kernels*>(info.Data());
}

using KernelBinding = Napi::Value (*)(const Napi::CallbackInfo&);
// Adds one kernel function bound to `table` to `set`.
void AddKernel(Napi::Env env, Napi::Object set, const char* name, KernelBinding fn, const keel_kernels* table);

}  // namespace keel

#endif  // KEEL_BINDING_ARGS_H_
