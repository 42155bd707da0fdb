// Cache sizes for the kernels' blocking, and the streaming-store threshold (cache.h). Linux
// describes each cache of cpu0 in sysfs (level, type, size); that is what lscpu shows. Some VMs hide
// those files (the Zen 5 one: lscpu shows no cache), and then the L2 comes from glibc's sysconf,
// which asks the CPU (cpuid) on x86. glibc's sysconf L3 is not used: on an AMD EPYC VM it reports
// 320 MB, the whole socket's, where a core reaches a 32 MB L3.
#include "cache.h"

#include "keel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace keel {
namespace {

constexpr int64_t kDefaultL2 = 1 << 20;

// The first line of a sysfs file, or false.
bool read_line(const char* path, char* buf, int size) {
  FILE* f = fopen(path, "r");
  if (!f) return false;
  const bool ok = fgets(buf, size, f) != nullptr;
  fclose(f);
  return ok;
}

// "32768K" / "1M" / "512" in bytes, 0 when unreadable.
int64_t parse_size(const char* s) {
  char* end = nullptr;
  const long long v = strtoll(s, &end, 10);
  if (v <= 0 || end == s) return 0;
  if (*end == 'K') return (int64_t)v << 10;
  if (*end == 'M') return (int64_t)v << 20;
  return (int64_t)v;
}

struct CacheSizes {
  int64_t l2 = 0, llc = 0;
};

CacheSizes read_sysfs() {
  CacheSizes c;
  char path[96], buf[64];
  for (int i = 0; i < 16; i++) {
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (!read_line(path, buf, sizeof buf)) break;
    const int level = atoi(buf);
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (!read_line(path, buf, sizeof buf) || strncmp(buf, "Instruction", 11) == 0) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!read_line(path, buf, sizeof buf)) continue;
    const int64_t bytes = parse_size(buf);
    if (level == 2) c.l2 = bytes;
    if (level >= 2 && bytes > c.llc) c.llc = bytes;
  }
  return c;
}

const CacheSizes& sizes() {
  static const CacheSizes s = [] {
    CacheSizes c = read_sysfs();
#ifdef _SC_LEVEL2_CACHE_SIZE
    const long libc_l2 = c.l2 == 0 ? sysconf(_SC_LEVEL2_CACHE_SIZE) : 0;  // -1 or 0 when unknown
    if (libc_l2 > 0) c.l2 = libc_l2;
#endif
    if (c.l2 == 0) c.l2 = kDefaultL2;
    if (c.llc < c.l2) c.llc = c.l2;
    return c;
  }();
  return s;
}

}  // namespace

int64_t l2_cache_bytes() { return sizes().l2; }

int64_t last_level_cache_bytes() { return sizes().llc; }

int64_t streaming_store_bytes() { return 8 << 20; }

}  // namespace keel

extern "C" void keel_cache_info(keel_cache_sizes* out) {
  out->l2_bytes = keel::l2_cache_bytes();
  out->last_level_bytes = keel::last_level_cache_bytes();
  out->streaming_store_bytes = keel::streaming_store_bytes();
}
