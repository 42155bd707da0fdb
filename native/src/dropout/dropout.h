// dropout kernel variants (one file per ISA) and the family's dispatch registration.
#ifndef KEEL_DROPOUT_H_
#define KEEL_DROPOUT_H_

#include "keel.h"

namespace keel {

void u8_dropout_mask__scalar(uint8_t* mask, const keel_dropout_params* p);
void f32_dropout_forward__scalar(float* y, const float* x, const keel_dropout_params* p);
void f32_dropout_backward__scalar(float* dx, const float* dy, const keel_dropout_params* p);

// AVX2 / AVX-512 (f32-dropout-avx2.cc, f32-dropout-avx512.cc): vectorised Philox, multi-threaded over
// fixed blocks of draws; dropout1d uses the same functions (length > 1).
void u8_dropout_mask__avx2(uint8_t* mask, const keel_dropout_params* p);
void f32_dropout_forward__avx2(float* y, const float* x, const keel_dropout_params* p);
void f32_dropout_backward__avx2(float* dx, const float* dy, const keel_dropout_params* p);
void u8_dropout_mask__avx512(uint8_t* mask, const keel_dropout_params* p);
void f32_dropout_forward__avx512(float* y, const float* x, const keel_dropout_params* p);
void f32_dropout_backward__avx512(float* dx, const float* dy, const keel_dropout_params* p);

// Fills this family's entries of `k` with the best variant built for `isa` (dispatch.cc).
void register_dropout(keel_kernels* k, keel_isa isa);
// Overrides entries with the NEON variants (defined in f32-dropout-neon.cc, arm64 only).
void register_dropout_neon(keel_kernels* k);

}  // namespace keel

#endif  // KEEL_DROPOUT_H_
