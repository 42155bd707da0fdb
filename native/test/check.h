// Failure counting for the C++ tests: CHECK records a failed condition with the file, the line and
// the test's current `context` (the case it is running, set by the test) and goes on, so one run lists
// every failure; each test's main returns non-zero when `failures` is. A test whose loops could print
// thousands of lines lowers `check_print_limit` (the failures are still all counted).
#pragma once
#include <climits>
#include <cstdio>
#include <string>

inline int failures = 0;
inline std::string context;
inline int check_print_limit = INT_MAX;

#define CHECK(cond)                                                                       \
  do {                                                                                    \
    if (!(cond) && failures++ < check_print_limit)                                        \
      fprintf(stderr, "FAIL [%s] %s:%d: %s\n", context.c_str(), __FILE__, __LINE__, #cond); \
  } while (0)
