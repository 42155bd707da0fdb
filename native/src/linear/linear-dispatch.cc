// Linear variants per CPU level.
#include "linear.h"

namespace keel {

void register_linear(keel_kernels* k, keel_isa isa) {
  k->linear_forward = f32_linear_forward__scalar, k->linear_forward_variant = "scalar";
  k->linear_forward_stats = f32_linear_forward_stats__scalar, k->linear_forward_stats_variant = "scalar";
  k->linear_backward_data = f32_linear_backward_data__scalar, k->linear_backward_data_variant = "scalar";
  k->linear_backward_weight = f32_linear_backward_weight__scalar, k->linear_backward_weight_variant = "scalar";
  k->linear_backward_bias = f32_linear_backward_bias__scalar, k->linear_backward_bias_variant = "scalar";
#ifdef KEEL_HAVE_AVX2
  if (isa == KEEL_ISA_AVX2 || isa == KEEL_ISA_AVX512) {
    k->linear_forward = f32_linear_forward__avx2, k->linear_forward_variant = "avx2";
    k->linear_forward_stats = f32_linear_forward_stats__avx2, k->linear_forward_stats_variant = "avx2";
    k->linear_backward_data = f32_linear_backward_data__avx2, k->linear_backward_data_variant = "avx2";
    k->linear_backward_weight = f32_linear_backward_weight__avx2, k->linear_backward_weight_variant = "avx2";
    k->linear_backward_bias = f32_linear_backward_bias__avx2, k->linear_backward_bias_variant = "avx2";
  }
#endif
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) {
    k->linear_forward = f32_linear_forward__avx512, k->linear_forward_variant = "avx512";
    k->linear_forward_stats = f32_linear_forward_stats__avx512, k->linear_forward_stats_variant = "avx512";
    k->linear_backward_data = f32_linear_backward_data__avx512, k->linear_backward_data_variant = "avx512";
    k->linear_backward_weight = f32_linear_backward_weight__avx512, k->linear_backward_weight_variant = "avx512";
    k->linear_backward_bias = f32_linear_backward_bias__avx512, k->linear_backward_bias_variant = "avx512";
  }
#endif
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) register_linear_neon(k);
#endif
  (void)isa;
}

}  // namespace keel
