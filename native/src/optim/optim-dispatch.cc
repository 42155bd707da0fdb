// Optimiser update variants per CPU level.
#include "optim.h"

namespace keel {

void register_optim(keel_kernels* k, keel_isa isa) {
  k->adam_update = f32_adam_update__scalar, k->adam_update_variant = "scalar";
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) k->adam_update = f32_adam_update__avx512, k->adam_update_variant = "avx512";
#endif
  (void)isa;
}

}  // namespace keel
