// Which SIMD levels the parity and dropout tests check against scalar. All the CPU supports, unless
// KEEL_TEST_LEVELS names some ("avx512" or "avx2,avx512"): .ci/sanitize uses that under
// ThreadSanitizer, where races can only be in the thread pool and the dispatch's parallel split —
// the same code for every level — and each level costs a full, 10x slower pass.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "keel.h"

// The kernel table of `isa` if this CPU supports it and KEEL_TEST_LEVELS (when set) names it.
inline const keel_kernels* keel_test_level(keel_isa isa) {
  const keel_kernels* k = keel_kernels_for(isa);
  const char* wanted = getenv("KEEL_TEST_LEVELS");
  if (!k || !wanted || !*wanted) return k;
  const std::string list = std::string(",") + wanted + ",";
  return list.find(std::string(",") + keel_isa_name(isa) + ",") != std::string::npos ? k : nullptr;
}

// False (with a message) when KEEL_TEST_LEVELS names a level this CPU lacks, so a typo cannot turn
// the tests into a pass over nothing.
inline bool keel_test_levels_valid() {
  const char* wanted = getenv("KEEL_TEST_LEVELS");
  if (!wanted || !*wanted) return true;
  std::string list = std::string(wanted) + ",";
  for (size_t start = 0, end; (end = list.find(',', start)) != std::string::npos; start = end + 1) {
    const std::string name = list.substr(start, end - start);
    bool found = false;
    for (int i = 0; i <= KEEL_ISA_NEON; i++)
      found |= keel_kernels_for((keel_isa)i) && name == keel_isa_name((keel_isa)i);
    if (!found) {
      fprintf(stderr, "KEEL_TEST_LEVELS=%s: '%s' is not a level this CPU supports\n", wanted, name.c_str());
      return false;
    }
  }
  return true;
}
