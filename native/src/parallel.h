// The thread pool every kernel shares. Work is cut into tasks by SHAPE (a channel, a block of rows),
// never by thread count, and each task is computed start to finish by one thread in a fixed order:
// which thread runs a task changes nothing, so results are bitwise identical for any thread count.
// Reductions across tasks, where needed, are combined afterwards in task order by the caller.
#ifndef KEEL_PARALLEL_H_
#define KEEL_PARALLEL_H_

#include <stdint.h>

namespace keel {

// Runs fn(ctx, begin, end) over [0, tasks) in chunks of `grain` tasks, on the pool's threads and
// the caller's. Serial (fn(ctx, 0, tasks) on the caller's thread, which gives the same results) when
// the pool has one thread, there is a single chunk, the call comes from inside a parallel region, or
// the pool is busy with another thread's region (e.g. another worker_thread's kernel) or a resize.
// Safe to call from several threads at once. fn must not throw.
void parallel_for(int64_t tasks, int64_t grain, void (*fn)(void* ctx, int64_t begin, int64_t end), void* ctx);

// Convenience for lambdas: parallel_for(tasks, grain, [&](int64_t b, int64_t e) { ... }).
template <typename F>
inline void parallel_for(int64_t tasks, int64_t grain, const F& f) {
  parallel_for(tasks, grain, [](void* c, int64_t b, int64_t e) { (*static_cast<const F*>(c))(b, e); },
               const_cast<F*>(&f));
}

// Tasks of `bytes_per_task` bytes that make chunks worth a thread (≈1 MB, DESIGN.md §5): the grain.
inline int64_t grain_for(int64_t bytes_per_task) {
  const int64_t target = 1 << 20;
  return bytes_per_task >= target ? 1 : (target + bytes_per_task - 1) / (bytes_per_task > 0 ? bytes_per_task : 1);
}

}  // namespace keel

#endif  // KEEL_PARALLEL_H_
