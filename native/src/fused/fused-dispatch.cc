// Fused BatchNorm1d -> ReLU -> Dropout variants per CPU level. Every variant computes the
// normalised value v, the ReLU decision and the dropout product in double/float exactly as the
// reference does (see keel.h), so forward outputs and ReLU/dropout masks are bitwise equal across
// levels; only the order of the per-channel double sums differs between levels.
#include "fused.h"

namespace keel {

void register_fused(keel_kernels* k, keel_isa isa) {
  k->bn_relu_dropout_forward = f32_bn_relu_dropout_forward__scalar, k->bn_relu_dropout_forward_variant = "scalar";
  k->bn_relu_dropout_backward = f32_bn_relu_dropout_backward__scalar, k->bn_relu_dropout_backward_variant = "scalar";
  k->bn_relu_dropout_forward_with_stats = f32_bn_relu_dropout_forward_with_stats__scalar;
  k->bn_relu_dropout_forward_with_stats_variant = "scalar";
  k->bn_relu_dropout_backward_with_output = f32_bn_relu_dropout_backward_with_output__scalar;
  k->bn_relu_dropout_backward_with_output_variant = "scalar";
#ifdef KEEL_HAVE_AVX2
  if (isa == KEEL_ISA_AVX2 || isa == KEEL_ISA_AVX512) {
    k->bn_relu_dropout_forward = f32_bn_relu_dropout_forward__avx2, k->bn_relu_dropout_forward_variant = "avx2";
    k->bn_relu_dropout_backward = f32_bn_relu_dropout_backward__avx2, k->bn_relu_dropout_backward_variant = "avx2";
    k->bn_relu_dropout_forward_with_stats = f32_bn_relu_dropout_forward_with_stats__avx2;
    k->bn_relu_dropout_forward_with_stats_variant = "avx2";
    k->bn_relu_dropout_backward_with_output = f32_bn_relu_dropout_backward_with_output__avx2;
    k->bn_relu_dropout_backward_with_output_variant = "avx2";
  }
#endif
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) {
    k->bn_relu_dropout_forward = f32_bn_relu_dropout_forward__avx512, k->bn_relu_dropout_forward_variant = "avx512";
    k->bn_relu_dropout_backward = f32_bn_relu_dropout_backward__avx512, k->bn_relu_dropout_backward_variant = "avx512";
    k->bn_relu_dropout_forward_with_stats = f32_bn_relu_dropout_forward_with_stats__avx512;
    k->bn_relu_dropout_forward_with_stats_variant = "avx512";
    k->bn_relu_dropout_backward_with_output = f32_bn_relu_dropout_backward_with_output__avx512;
    k->bn_relu_dropout_backward_with_output_variant = "avx512";
  }
#endif
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) {
    k->bn_relu_dropout_forward = f32_bn_relu_dropout_forward__neon, k->bn_relu_dropout_forward_variant = "neon";
    k->bn_relu_dropout_backward = f32_bn_relu_dropout_backward__neon, k->bn_relu_dropout_backward_variant = "neon";
    k->bn_relu_dropout_forward_with_stats = f32_bn_relu_dropout_forward_with_stats__neon;
    k->bn_relu_dropout_forward_with_stats_variant = "neon";
    k->bn_relu_dropout_backward_with_output = f32_bn_relu_dropout_backward_with_output__neon;
    k->bn_relu_dropout_backward_with_output_variant = "neon";
  }
#endif
  (void)isa;
}

}  // namespace keel
