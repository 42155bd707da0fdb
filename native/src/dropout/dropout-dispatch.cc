// Dropout variants per CPU level. Dropout1d is dropout whose rows are whole channels: the same
// kernels with length > 1.
#include "dropout.h"

namespace keel {

void register_dropout(keel_kernels* k, keel_isa isa) {
  k->dropout_mask = u8_dropout_mask__scalar, k->dropout_mask_variant = "scalar";
  k->dropout_forward = f32_dropout_forward__scalar, k->dropout_forward_variant = "scalar";
  k->dropout_backward = f32_dropout_backward__scalar, k->dropout_backward_variant = "scalar";
  k->dropout1d_mask = u8_dropout_mask__scalar, k->dropout1d_mask_variant = "scalar";
  k->dropout1d_forward = f32_dropout_forward__scalar, k->dropout1d_forward_variant = "scalar";
  k->dropout1d_backward = f32_dropout_backward__scalar, k->dropout1d_backward_variant = "scalar";
#ifdef KEEL_HAVE_AVX2
  if (isa == KEEL_ISA_AVX2 || isa == KEEL_ISA_AVX512) {
    k->dropout_mask = u8_dropout_mask__avx2, k->dropout_mask_variant = "avx2";
    k->dropout_forward = f32_dropout_forward__avx2, k->dropout_forward_variant = "avx2";
    k->dropout_backward = f32_dropout_backward__avx2, k->dropout_backward_variant = "avx2";
    k->dropout1d_mask = u8_dropout_mask__avx2, k->dropout1d_mask_variant = "avx2";
    k->dropout1d_forward = f32_dropout_forward__avx2, k->dropout1d_forward_variant = "avx2";
    k->dropout1d_backward = f32_dropout_backward__avx2, k->dropout1d_backward_variant = "avx2";
  }
#endif
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) {
    k->dropout_mask = u8_dropout_mask__avx512, k->dropout_mask_variant = "avx512";
    k->dropout_forward = f32_dropout_forward__avx512, k->dropout_forward_variant = "avx512";
    k->dropout_backward = f32_dropout_backward__avx512, k->dropout_backward_variant = "avx512";
    k->dropout1d_mask = u8_dropout_mask__avx512, k->dropout1d_mask_variant = "avx512";
    k->dropout1d_forward = f32_dropout_forward__avx512, k->dropout1d_forward_variant = "avx512";
    k->dropout1d_backward = f32_dropout_backward__avx512, k->dropout1d_backward_variant = "avx512";
  }
#endif
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) register_dropout_neon(k);
#endif
  (void)isa;
}

}  // namespace keel
