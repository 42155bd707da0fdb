// The dispatch tables: one keel_kernels per CPU level, each entry the best variant compiled for
// that level. Every level starts from the scalar table; ISA-specific variants (one translation
// unit per ISA, added to native/sources.json with their flags) override entries here.
#include "keel.h"
#include "kernels.h"

namespace {

keel_kernels scalar_table() {
  keel_kernels k = {};
  k.isa = KEEL_ISA_SCALAR;
#define KEEL_SET(field, fn) k.field = keel::fn; k.field##_variant = "scalar";
  KEEL_SET(conv1d_forward, f32_conv1d_forward__scalar)
  KEEL_SET(conv1d_backward_data, f32_conv1d_backward_data__scalar)
  KEEL_SET(conv1d_backward_weight, f32_conv1d_backward_weight__scalar)
  KEEL_SET(conv1d_backward_bias, f32_conv1d_backward_bias__scalar)
  KEEL_SET(batchnorm1d_train_forward, f32_batchnorm1d_train_forward__scalar)
  KEEL_SET(batchnorm1d_eval_forward, f32_batchnorm1d_eval_forward__scalar)
  KEEL_SET(batchnorm1d_backward, f32_batchnorm1d_backward__scalar)
  KEEL_SET(dropout_mask, u8_dropout_mask__scalar)
  KEEL_SET(dropout_forward, f32_dropout_forward__scalar)
  KEEL_SET(dropout_backward, f32_dropout_backward__scalar)
  // Dropout1d is dropout whose rows are whole channels: the same kernels with length > 1.
  KEEL_SET(dropout1d_mask, u8_dropout_mask__scalar)
  KEEL_SET(dropout1d_forward, f32_dropout_forward__scalar)
  KEEL_SET(dropout1d_backward, f32_dropout_backward__scalar)
  KEEL_SET(relu_forward, f32_relu_forward__scalar)
  KEEL_SET(relu_backward, f32_relu_backward__scalar)
  KEEL_SET(linear_forward, f32_linear_forward__scalar)
  KEEL_SET(linear_backward_data, f32_linear_backward_data__scalar)
  KEEL_SET(linear_backward_weight, f32_linear_backward_weight__scalar)
  KEEL_SET(linear_backward_bias, f32_linear_backward_bias__scalar)
#undef KEEL_SET
  return k;
}

keel_kernels table_for(keel_isa isa) {
  keel_kernels k = scalar_table();
  k.isa = isa;
  // SIMD variants override entries here, e.g.
  //   if (isa == KEEL_ISA_AVX2 || isa == KEEL_ISA_AVX512) k.relu_forward = ...__avx2, ...
  return k;
}

}  // namespace

extern "C" const keel_kernels* keel_kernels_for(keel_isa isa) {
  if (!keel_isa_supported(isa)) return nullptr;
  static const keel_kernels tables[] = {table_for(KEEL_ISA_SCALAR), table_for(KEEL_ISA_AVX2),
                                        table_for(KEEL_ISA_AVX512), table_for(KEEL_ISA_NEON)};
  return &tables[isa];
}
