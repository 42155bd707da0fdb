// BatchNorm1d variants per CPU level.
#include "batchnorm1d.h"

namespace keel {

void register_batchnorm1d(keel_kernels* k, keel_isa isa) {
  k->batchnorm1d_train_forward = f32_batchnorm1d_train_forward__scalar, k->batchnorm1d_train_forward_variant = "scalar";
  k->batchnorm1d_eval_forward = f32_batchnorm1d_eval_forward__scalar, k->batchnorm1d_eval_forward_variant = "scalar";
  k->batchnorm1d_backward = f32_batchnorm1d_backward__scalar, k->batchnorm1d_backward_variant = "scalar";
#ifdef KEEL_HAVE_AVX2
  if (isa == KEEL_ISA_AVX2 || isa == KEEL_ISA_AVX512) {
    k->batchnorm1d_train_forward = f32_batchnorm1d_train_forward__avx2, k->batchnorm1d_train_forward_variant = "avx2";
    k->batchnorm1d_eval_forward = f32_batchnorm1d_eval_forward__avx2, k->batchnorm1d_eval_forward_variant = "avx2";
    k->batchnorm1d_backward = f32_batchnorm1d_backward__avx2, k->batchnorm1d_backward_variant = "avx2";
  }
#endif
#ifdef KEEL_HAVE_AVX512
  if (isa == KEEL_ISA_AVX512) {
    k->batchnorm1d_train_forward = f32_batchnorm1d_train_forward__avx512, k->batchnorm1d_train_forward_variant = "avx512";
    k->batchnorm1d_eval_forward = f32_batchnorm1d_eval_forward__avx512, k->batchnorm1d_eval_forward_variant = "avx512";
    k->batchnorm1d_backward = f32_batchnorm1d_backward__avx512, k->batchnorm1d_backward_variant = "avx512";
  }
#endif
#ifdef KEEL_HAVE_NEON
  if (isa == KEEL_ISA_NEON) register_batchnorm1d_neon(k);
#endif
  (void)isa;
}

}  // namespace keel
