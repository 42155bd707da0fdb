// gather kernel (one variant, named "any": a copy needs no ISA of its own) and the family's dispatch
// registration.
#ifndef KEEL_GATHER_H_
#define KEEL_GATHER_H_

#include "keel.h"

namespace keel {

void f32_gather_rows__scalar(float* out, const float* src, const int32_t* indices, const keel_gather_params* p);

// Fills this family's entries of `k` (dispatch.cc); every level uses the one variant.
void register_gather(keel_kernels* k, keel_isa isa);

}  // namespace keel

#endif  // KEEL_GATHER_H_
