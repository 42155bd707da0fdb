// gather_rows: out row k = src row indices[k] (keel.h; src/ref/gather.ts is the reference). A memcpy
// per run of consecutive indices; the rows split between the pool's threads in tasks of ~64 KB,
// because a batch drawn at random from a large table (60,000 Fashion-MNIST images are 188 MB) is
// bound by memory latency, not bandwidth: a second thread doubles the misses in flight.
#include <string.h>

#include "gather.h"
#include "parallel.h"

namespace keel {

void f32_gather_rows__scalar(float* out, const float* src, const int32_t* indices, const keel_gather_params* p) {
  const int64_t R = p->rows, D = p->row_length;
  if (R == 0 || D == 0) return;
  const int64_t row_bytes = D * (int64_t)sizeof(float);
  const int64_t grain = row_bytes >= (64 << 10) ? 1 : (64 << 10) / row_bytes;
  parallel_for(R, grain, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e;) {
      const int64_t start = indices[k];
      int64_t run = 1;
      while (k + run < e && indices[k + run] == start + run) run++;
      memcpy(out + k * D, src + start * D, (size_t)(run * row_bytes));
      k += run;
    }
  });
}

// Its variant is named "any": the same code at every level (the checks that each level runs its own
// kernels skip it).
void register_gather(keel_kernels* k, keel_isa) { k->gather_rows = f32_gather_rows__scalar, k->gather_rows_variant = "any"; }

}  // namespace keel
