// The sizes of this machine's caches, read once at first use, for the kernels whose blocking and
// store choices depend on them (batchnorm1d's channel pipeline and streaming stores). Read from
// Linux's description of cpu0's caches (sysfs, what lscpu shows), so an Intel Xeon with 2 MB of L2
// per core and an AMD EPYC Zen 4 with 1 MB each get their own thresholds without naming a vendor or
// a model; where the system does not say (another OS, a container hiding sysfs) the defaults below
// are used. Only performance depends on them: every choice they steer computes the same bits.
#ifndef KEEL_CACHE_H_
#define KEEL_CACHE_H_

#include <stdint.h>

namespace keel {

// Bytes of one core's L2 cache (default 1 MB).
int64_t l2_cache_bytes();

// Bytes of the last-level cache (L3, else L2).
int64_t last_level_cache_bytes();

// Outputs at least this large are written with streaming (non-temporal) stores: at least 8 MB, far
// past any L2, and at least half the last-level cache, so the layer that reads them next would read
// them from memory anyway, while plain stores would first read every line (read-for-ownership) and
// evict the inputs the kernel is still reading. Zen 4 (32 MB L3): 16 MB.
int64_t streaming_store_bytes();

}  // namespace keel

#endif  // KEEL_CACHE_H_
