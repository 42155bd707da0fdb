// Which SIMD levels the parity, dropout and linear tests check against scalar. All the CPU supports, unless
// KEEL_TEST_LEVELS names some ("avx512" or "avx2,avx512"): .ci/sanitize uses that under
// ThreadSanitizer, where races can only be in the thread pool and the dispatch's parallel split —
// the same code for every level — and each level costs a full, 10x slower pass.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

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

// The pool sizes among `counts` that the thread-count passes run: all of them, unless KEEL_TEST_THREADS
// lists some ("3" or "1,3"). .ci/sanitize runs ThreadSanitizer with 3 threads alone (a race needs two,
// and 3 splits unevenly; every count costs a full, 10x slower pass) and .ci/neon emulates 1 and 3; the
// plain runs check every count. A value that is not a count of 1 to 64 stops the test program.
inline std::vector<int> keel_test_threads(std::initializer_list<int> counts) {
  const char* wanted = getenv("KEEL_TEST_THREADS");
  if (!wanted || !*wanted) return counts;
  std::vector<int> listed;
  for (const char* p = wanted; *p;) {
    char* end = nullptr;
    const long n = strtol(p, &end, 10);
    if (end == p || n < 1 || n > 64 || (*end != ',' && *end != '\0')) {
      fprintf(stderr, "KEEL_TEST_THREADS=%s: expected thread counts from 1 to 64 separated by commas\n", wanted);
      exit(2);
    }
    listed.push_back((int)n);
    p = *end == ',' ? end + 1 : end;
  }
  std::vector<int> out;
  for (int c : counts)
    if (std::find(listed.begin(), listed.end(), c) != listed.end()) out.push_back(c);
  return out;
}
