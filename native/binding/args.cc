#include "args.h"

#include <math.h>
#include <stdio.h>

#include <algorithm>
#include <exception>

namespace keel {

namespace {

std::string FormatInt(int64_t v) { return std::to_string(v); }

// Numbers in messages are printed by JS itself, so they match String(v) exactly.
std::string JsString(Napi::Value v) { return v.ToString().Utf8Value(); }

std::string ConstructorName(Napi::Value v) {
  Napi::Value ctor = v.As<Napi::Object>().Get("constructor");
  if (!ctor.IsObject() && !ctor.IsFunction()) return "object";
  Napi::Value name = ctor.As<Napi::Object>().Get("name");
  return name.IsString() ? name.As<Napi::String>().Utf8Value() : "object";
}

// The same range text as args.ts: "a finite number >= 0" or "a number in [0, 1]".
std::string RangeText(double lo, double hi) {
  char buf[96];
  if (isinf(lo)) snprintf(buf, sizeof buf, "a finite number");
  else if (isinf(hi)) snprintf(buf, sizeof buf, "a finite number >= %.17g", lo);
  else snprintf(buf, sizeof buf, "a number in [%.17g, %.17g]", lo, hi);
  return buf;
}

}  // namespace

std::string Describe(Napi::Value v) {
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsTypedArray() || v.IsDataView()) return ConstructorName(v);
  if (v.IsArray()) return "Array";
  if (v.IsNumber() || v.IsBoolean()) return JsString(v);
  if (v.IsString()) return "\"" + v.As<Napi::String>().Utf8Value() + "\"";
  if (v.IsBigInt()) return JsString(v) + "n";
  if (v.IsFunction()) return "function";
  if (v.IsSymbol()) return "symbol";
  return "object";
}

KernelArgs::KernelArgs(const Napi::CallbackInfo& info, const char* kernel, size_t params_index)
    : KernelArgs(info, kernel, info[params_index], "") {}

KernelArgs::KernelArgs(const Napi::CallbackInfo& info, const char* kernel, Napi::Value p, const char* prefix)
    : info_(info), kernel_(kernel), prefix_(prefix) {
  // typeof params must be 'object' and params not null or an array, as in args.ts.
  if (!p.IsObject() || p.IsFunction() || p.IsArray())
    Throw(ErrorKind::kOptionType, std::string(prefix_) + "params must be an object, got " + Describe(p));
  params_ = p.As<Napi::Object>();
}

void KernelArgs::Throw(ErrorKind kind, const std::string& message) const {
  ThrowError(info_.Env(), kind, std::string(kernel_) + ": " + message);
}

Napi::Value KernelArgs::Field(const char* field) const { return params_.Get(field); }

// The messages of Int and Number are built only when a check fails: Describe() asks JS for the
// value's string, which on every call made a small-tensor kernel call several times slower.
int64_t KernelArgs::Int(const char* field, int64_t min) {
  Napi::Value v = Field(field);
  auto msg = [&] {
    return std::string(prefix_) + "params." + field + " must be an integer in [" + FormatInt(min) + ", 2^53 - 1], got " +
           Describe(v);
  };
  if (!v.IsNumber()) Throw(ErrorKind::kOptionType, msg());
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d == floor(d)) || isinf(d) || d < (double)min || d > kMaxSize) Throw(ErrorKind::kOptionValue, msg());
  return (int64_t)d;
}

double KernelArgs::Number(const char* field, double lo, double hi) {
  Napi::Value v = Field(field);
  auto msg = [&] { return std::string(prefix_) + "params." + field + " must be " + RangeText(lo, hi) + ", got " + Describe(v); };
  if (!v.IsNumber()) Throw(ErrorKind::kOptionType, msg());
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || !isfinite(d)) Throw(ErrorKind::kOptionValue, msg());
  return d;
}

bool KernelArgs::Bool(const char* field) {
  Napi::Value v = Field(field);
  if (!v.IsBoolean())
    Throw(ErrorKind::kOptionType, std::string(prefix_) + "params." + field + " must be a boolean, got " + Describe(v));
  return v.As<Napi::Boolean>().Value();
}

int64_t KernelArgs::Limit(const std::string& formula, double value) {
  if (!(value <= kMaxSize)) Throw(ErrorKind::kShape, formula + " exceeds 2^53 - 1");
  return (int64_t)value;
}

Size KernelArgs::SizeOf(std::initializer_list<std::pair<const char*, int64_t>> factors) {
  std::string names, values;
  double product = 1.0;  // in double, exactly as args.ts computes it
  for (const auto& [name, v] : factors) {
    if (!names.empty()) {
      names += "*";
      values += "*";
    }
    names += name;
    values += FormatInt(v);
    product *= (double)v;
  }
  return Size{Limit(names, product), names + " = " + values};
}

template <typename T>
T* KernelArgs::Typed(Napi::Value v, const char* name, napi_typedarray_type type, const char* a_type,
                     const Size& size) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    Throw(ErrorKind::kOptionType, std::string(prefix_) + name + " must be " + a_type + ", got " + Describe(v));
  Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
  if ((int64_t)a.ElementLength() != size.value)
    Throw(ErrorKind::kShape, std::string(prefix_) + name + " must have length " + FormatInt(size.value) + " (" + size.formula +
                                 "), got " + std::to_string(a.ElementLength()));
  return a.Data();
}

float* KernelArgs::Floats(size_t index, const char* name, const Size& size) { return Floats(info_[index], name, size); }

float* KernelArgs::Floats(Napi::Value v, const char* name, const Size& size) {
  return Typed<float>(v, name, napi_float32_array, "a Float32Array", size);
}

float* KernelArgs::OptionalFloats(size_t index, const char* name, const Size& size) {
  Napi::Value v = info_[index];
  return v.IsNull() || v.IsUndefined() ? nullptr : Floats(index, name, size);
}

double* KernelArgs::Doubles(size_t index, const char* name, const Size& size) {
  return Typed<double>(info_[index], name, napi_float64_array, "a Float64Array", size);
}

uint8_t* KernelArgs::Bytes(size_t index, const char* name, const Size& size) {
  return Typed<uint8_t>(info_[index], name, napi_uint8_array, "a Uint8Array", size);
}

const int32_t* KernelArgs::Indices(size_t index, const char* name, const Size& size, int64_t bound, const char* bound_name) {
  const int32_t* a = Typed<int32_t>(info_[index], name, napi_int32_array, "an Int32Array", size);
  for (int64_t k = 0; k < size.value; k++) {
    if (a[k] < 0 || a[k] >= bound)
      Throw(ErrorKind::kOptionValue, std::string(prefix_) + name + "[" + std::to_string(k) + "] = " + std::to_string(a[k]) +
                                         " is out of range [0, " + bound_name + " = " + FormatInt(bound) + ")");
  }
  return a;
}

Span KernelArgs::SpanOf(size_t index, const char* name) const { return SpanOf(info_[index], name); }

Span KernelArgs::SpanOf(Napi::Value v, const char* name) const {
  if (!v.IsTypedArray()) return Span{name, nullptr, 0, prefix_};
  // The element pointer from napi_get_typedarray_info, not ArrayBuffer().Data(): the array may view a
  // SharedArrayBuffer (fit's worker holds its data on them), which napi_get_arraybuffer_info rejects.
  void* data = nullptr;
  if (napi_get_typedarray_info(v.Env(), v, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok) data = nullptr;
  return Span{name, static_cast<const uint8_t*>(data), v.As<Napi::TypedArray>().ByteLength(), prefix_};
}

namespace {

bool Empty(const Span& s) { return !s.data || s.bytes == 0; }

bool Overlap(const Span& a, const Span& b) {
  if (Empty(a) || Empty(b)) return false;
  const uint8_t *a0 = static_cast<const uint8_t*>(a.data), *b0 = static_cast<const uint8_t*>(b.data);
  return a0 < b0 + b.bytes && b0 < a0 + a.bytes;
}

// Whether any output overlaps another output or an input: a sweep over the spans sorted by address,
// O(n log n), so that a long list (adamUpdateMulti over a large model) is not checked pair by pair.
bool AnyOverlap(const std::vector<Span>& outputs, const std::vector<Span>& inputs) {
  struct Edge {
    uintptr_t begin, end;
    bool output;
  };
  std::vector<Edge> spans;
  spans.reserve(outputs.size() + inputs.size());
  for (const auto* list : {&outputs, &inputs})
    for (const Span& s : *list)
      if (!Empty(s)) spans.push_back({(uintptr_t)s.data, (uintptr_t)s.data + s.bytes, list == &outputs});
  std::sort(spans.begin(), spans.end(), [](const Edge& a, const Edge& b) { return a.begin < b.begin; });
  uintptr_t any_end = 0, output_end = 0;  // the furthest end of the spans so far, and of the outputs
  for (const Edge& s : spans) {
    if (s.begin < (s.output ? any_end : output_end)) return true;
    any_end = std::max(any_end, s.end);
    if (s.output) output_end = std::max(output_end, s.end);
  }
  return false;
}

// Pair by pair in the order of the lists (outputs, then inputs): the first overlapping pair is the
// one args.ts reports.
void FirstOverlap(Napi::Env env, const char* kernel, const Span* outputs, size_t n_out, const Span* inputs, size_t n_in) {
  for (size_t i = 0; i < n_out; i++) {
    for (size_t j = i + 1; j < n_out + n_in; j++) {
      const Span& b = j < n_out ? outputs[j] : inputs[j - n_out];
      if (Overlap(outputs[i], b))
        ThrowError(env, ErrorKind::kOptionValue, std::string(kernel) + ": " + outputs[i].prefix + outputs[i].name + " and " +
                                                     b.prefix + b.name + " share memory; outputs must not overlap other arguments");
    }
  }
}

}  // namespace

void KernelArgs::Disjoint(std::initializer_list<Span> outputs, std::initializer_list<Span> inputs) {
  FirstOverlap(info_.Env(), kernel_, outputs.begin(), outputs.size(), inputs.begin(), inputs.size());
}

// Long lists are swept first and searched pair by pair only when they do overlap.
void Disjoint(Napi::Env env, const char* kernel, const std::vector<Span>& outputs, const std::vector<Span>& inputs) {
  if (outputs.size() + inputs.size() > 16 && !AnyOverlap(outputs, inputs)) return;
  FirstOverlap(env, kernel, outputs.data(), outputs.size(), inputs.data(), inputs.size());
}

// Every kernel function converts any C++ exception that is not already a JS error into a
// BackendError, so nothing thrown in the binding can terminate the process.
void AddKernel(Napi::Env env, Napi::Object set, const char* name, KernelBinding fn, const keel_kernels* table) {
  set.Set(name, Napi::Function::New(
                    env,
                    [fn](const Napi::CallbackInfo& info) -> Napi::Value {
                      try {
                        return fn(info);
                      } catch (const Napi::Error&) {
                        throw;
                      } catch (const std::exception& e) {
                        ThrowError(info.Env(), ErrorKind::kBackend, std::string("keel: internal error: ") + e.what());
                      } catch (...) {
                        ThrowError(info.Env(), ErrorKind::kBackend, "keel: internal error");
                      }
                    },
                    name, const_cast<keel_kernels*>(table)));
}

}  // namespace keel
