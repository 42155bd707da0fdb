// The sizes of this machine's caches, read once at first use, for the kernels whose blocking depends
// on them (batchnorm1d's channel pipeline), and the threshold for streaming stores. Read from
// Linux's description of cpu0's caches (sysfs, what lscpu shows), so an Intel Xeon with 2 MB of L2
// per core and an AMD EPYC Zen 4 with 1 MB each get their own thresholds without naming a vendor or
// a model; where sysfs is hidden (some VMs, containers) the L2 is glibc's figure from cpuid, and
// where neither says (another OS, another C library) the defaults below are used. Only performance depends on them: every choice they steer computes the same bits.
#ifndef KEEL_CACHE_H_
#define KEEL_CACHE_H_

#include <stdint.h>

namespace keel {

// Bytes of one core's L2 cache (default 1 MB).
int64_t l2_cache_bytes();

// Bytes of the last-level cache (L3, else L2).
int64_t last_level_cache_bytes();

// Outputs at least this large are written with streaming (non-temporal) stores: 8 MB, far past any
// L2, so they are written back anyway, while plain stores would first read every line
// (read-for-ownership) and evict the inputs the kernel is still reading. Measured faster at 32 MB on
// both CPUs (batchnorm1d-simd.h). Not scaled with the last-level cache: in a VM that cache is the
// host's, shared with other tenants (the Xeon's sysfs may show the whole socket's), so its size says
// little about what stays in it; a 2 MB output of the §1 backbone stays far below either way.
int64_t streaming_store_bytes();

}  // namespace keel

#endif  // KEEL_CACHE_H_
