// CPU-level detection. A level is usable only when the CPU has the instructions (cpuid) AND the OS
// saves the register state they use (XCR0 via xgetbv): a CPU with AVX-512 under an OS that does
// not enable ZMM state must not run AVX-512 code.
#include <string.h>

#include "keel.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

namespace {

struct X86Features {
  bool avx2_fma = false;
  bool avx512 = false;
};

uint64_t read_xcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}

X86Features detect_x86() {
  X86Features f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28);
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;             // SSE and AVX state
  const bool os_zmm = (xcr0 & 0xE6) == 0xE6;           // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  const bool avx2 = b & (1u << 5);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17);
  const bool avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
  f.avx2_fma = os_ymm && avx2 && fma;
  f.avx512 = f.avx2_fma && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}

}  // namespace
#endif

extern "C" {

const char* keel_isa_name(keel_isa isa) {
  switch (isa) {
    case KEEL_ISA_SCALAR: return "scalar";
    case KEEL_ISA_AVX2: return "avx2";
    case KEEL_ISA_AVX512: return "avx512";
    case KEEL_ISA_NEON: return "neon";
  }
  return "unknown";
}

int keel_isa_parse(const char* name, keel_isa* out) {
  static const keel_isa all[] = {KEEL_ISA_SCALAR, KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON};
  for (keel_isa isa : all) {
    if (strcmp(name, keel_isa_name(isa)) == 0) {
      *out = isa;
      return 0;
    }
  }
  return -1;
}

int keel_isa_supported(keel_isa isa) {
  switch (isa) {
    case KEEL_ISA_SCALAR: return 1;
#if defined(__x86_64__) || defined(_M_X64)
    case KEEL_ISA_AVX2: return detect_x86().avx2_fma;
    case KEEL_ISA_AVX512: return detect_x86().avx512;
#endif
#if defined(__aarch64__)
    case KEEL_ISA_NEON: return 1;  // Advanced SIMD is mandatory on AArch64
#endif
    default: return 0;
  }
}

keel_isa keel_isa_detect(void) {
  if (keel_isa_supported(KEEL_ISA_AVX512)) return KEEL_ISA_AVX512;
  if (keel_isa_supported(KEEL_ISA_AVX2)) return KEEL_ISA_AVX2;
  if (keel_isa_supported(KEEL_ISA_NEON)) return KEEL_ISA_NEON;
  return KEEL_ISA_SCALAR;
}

}  // extern "C"
