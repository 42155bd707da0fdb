// Conv1d variants per CPU level.
#include "conv1d.h"

namespace keel {

void register_conv1d(keel_kernels* k, keel_isa isa) {
  k->conv1d_forward = f32_conv1d_forward__scalar, k->conv1d_forward_variant = "scalar";
  k->conv1d_backward_data = f32_conv1d_backward_data__scalar, k->conv1d_backward_data_variant = "scalar";
  k->conv1d_backward_weight = f32_conv1d_backward_weight__scalar, k->conv1d_backward_weight_variant = "scalar";
  k->conv1d_backward_bias = f32_conv1d_backward_bias__scalar, k->conv1d_backward_bias_variant = "scalar";
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) register_conv1d_neon(k);
#endif
  (void)isa;
}

}  // namespace keel
