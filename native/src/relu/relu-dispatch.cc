// ReLU variants per CPU level.
#include "relu.h"

namespace keel {

void register_relu(keel_kernels* k, keel_isa isa) {
  k->relu_forward = f32_relu_forward__scalar, k->relu_forward_variant = "scalar";
  k->relu_backward = f32_relu_backward__scalar, k->relu_backward_variant = "scalar";
#ifdef KEEL_HAVE_AVX2
  if (isa == KEEL_ISA_AVX2 || isa == KEEL_ISA_AVX512) {
    k->relu_forward = f32_relu_forward__avx2, k->relu_forward_variant = "avx2";
    k->relu_backward = f32_relu_backward__avx2, k->relu_backward_variant = "avx2";
  }
#endif
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) {
    k->relu_forward = f32_relu_forward__avx512, k->relu_forward_variant = "avx512";
    k->relu_backward = f32_relu_backward__avx512, k->relu_backward_variant = "avx512";
  }
#endif
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) {
    k->relu_forward = f32_relu_forward__neon, k->relu_forward_variant = "neon";
    k->relu_backward = f32_relu_backward__neon, k->relu_backward_variant = "neon";
  }
#endif
}

}  // namespace keel
