// Optimiser update variants per CPU level.
#include "optim.h"

namespace keel {

void register_optim(keel_kernels* k, keel_isa isa) {
  k->adam_update = f32_adam_update__scalar, k->adam_update_variant = "scalar";
  k->adam_update_multi = f32_adam_update_multi__scalar, k->adam_update_multi_variant = "scalar";
  k->sgd_update = f32_sgd_update__scalar, k->sgd_update_variant = "scalar";
  k->nonfinite_index = f32_nonfinite_index__scalar, k->nonfinite_index_variant = "scalar";
#ifdef KEEL_HAVE_AVX2
  if (isa == KEEL_ISA_AVX2) {
    k->adam_update = f32_adam_update__avx2, k->adam_update_variant = "avx2";
    k->adam_update_multi = f32_adam_update_multi__avx2, k->adam_update_multi_variant = "avx2";
    k->sgd_update = f32_sgd_update__avx2, k->sgd_update_variant = "avx2";
    k->nonfinite_index = f32_nonfinite_index__avx2, k->nonfinite_index_variant = "avx2";
  }
#endif
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) {
    k->adam_update = f32_adam_update__avx512, k->adam_update_variant = "avx512";
    k->adam_update_multi = f32_adam_update_multi__avx512, k->adam_update_multi_variant = "avx512";
    k->sgd_update = f32_sgd_update__avx512, k->sgd_update_variant = "avx512";
    k->nonfinite_index = f32_nonfinite_index__avx512, k->nonfinite_index_variant = "avx512";
  }
#endif
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) register_optim_neon(k);
#endif
  (void)isa;
}

}  // namespace keel
