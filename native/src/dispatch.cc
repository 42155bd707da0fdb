// The dispatch tables: one keel_kernels per CPU level, each entry the best variant built for that
// level (scalar where none is). Each family registers its own entries (<family>-dispatch.cc), so
// one list per family drives dispatch, and the tests and benchmarks iterate the same levels.
// Only levels this CPU/OS supports are ever built, so no ISA-specific code runs elsewhere.
#include "keel.h"
#include "kernels.h"

namespace {

keel_kernels table_for(keel_isa isa) {
  keel_kernels k = {};
  k.isa = isa;
  keel::register_conv1d(&k, isa);
  keel::register_batchnorm1d(&k, isa);
  keel::register_dropout(&k, isa);
  keel::register_relu(&k, isa);
  keel::register_linear(&k, isa);
  keel::register_fused(&k, isa);
  keel::register_optim(&k, isa);
  keel::register_gather(&k, isa);
  return k;
}

}  // namespace

extern "C" const keel_kernels* keel_kernels_for(keel_isa isa) {
  if (isa < KEEL_ISA_SCALAR || isa > KEEL_ISA_NEON || !keel_isa_supported(isa)) return nullptr;
  // Built on first use, per level (thread-safe static initialisation).
  switch (isa) {
    case KEEL_ISA_SCALAR: { static const keel_kernels t = table_for(KEEL_ISA_SCALAR); return &t; }
    case KEEL_ISA_AVX2: { static const keel_kernels t = table_for(KEEL_ISA_AVX2); return &t; }
    case KEEL_ISA_AVX512: { static const keel_kernels t = table_for(KEEL_ISA_AVX512); return &t; }
    case KEEL_ISA_NEON: { static const keel_kernels t = table_for(KEEL_ISA_NEON); return &t; }
  }
  return nullptr;
}
