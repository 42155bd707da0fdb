// Each kernel family's binding file adds its functions, bound to one dispatch table, to a kernel set.
#ifndef KEEL_BINDING_FAMILIES_H_
#define KEEL_BINDING_FAMILIES_H_

#include <napi.h>

#include "keel.h"

namespace keel {

void AddConv1d(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddBatchNorm1d(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddDropout(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddRelu(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddLinear(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddFused(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddOptim(Napi::Env env, Napi::Object set, const keel_kernels* table);
void AddGather(Napi::Env env, Napi::Object set, const keel_kernels* table);

}  // namespace keel

#endif  // KEEL_BINDING_FAMILIES_H_
