// The cache sizes the kernels' thresholds come from (cache.h): read once, plausible, and the L2 the
// same as the C library's own figure where it has one (glibc takes it from cpuid: a second source
// where sysfs describes the caches, the fallback cache.cc uses where sysfs is hidden).
#include <stdio.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"

int main() {
  const int64_t l2 = keel::l2_cache_bytes(), llc = keel::last_level_cache_bytes();
  const int64_t stream = keel::streaming_store_bytes();
  printf("L2 %lld KB, last level %lld KB, streaming stores from %lld KB\n", (long long)(l2 >> 10),
         (long long)(llc >> 10), (long long)(stream >> 10));
  CHECK(l2 >= (64 << 10) && l2 <= (64 << 20));
  CHECK(llc >= l2);
  CHECK(stream == (8 << 20));
  CHECK(keel::l2_cache_bytes() == l2);  // read once: the same answer every time
#if defined(_SC_LEVEL2_CACHE_SIZE) && defined(__x86_64__)
  const long libc_l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (libc_l2 > 0) CHECK(l2 == libc_l2);
#endif
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
