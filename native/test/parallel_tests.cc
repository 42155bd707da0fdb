// The thread pool: every task runs exactly once for any pool size, chunking and nesting; resizing
// works; a parallel_for inside a parallel region runs serially instead of deadlocking.
#include <stdio.h>

#include <atomic>
#include <vector>

#include "keel.h"
#include "check.h"
#include "parallel.h"

int main() {
  CHECK(keel_set_num_threads(0) == -1);
  for (int threads : {1, 2, 3, 4, 8}) {
    CHECK(keel_set_num_threads(threads) == 0);
    CHECK(keel_num_threads() == threads);
    for (int64_t tasks : {0, 1, 2, 7, 100, 10007}) {
      for (int64_t grain : {1, 3, 64}) {
        for (int rep = 0; rep < 20; rep++) {
          std::vector<std::atomic<int>> hits(tasks);
          keel::parallel_for(tasks, grain, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; i++) hits[i]++;
          });
          bool once = true;
          for (auto& h : hits) once &= h.load() == 1;
          CHECK(once);
        }
      }
    }
    std::atomic<int64_t> inner{0};
    keel::parallel_for(16, 1, [&](int64_t ob, int64_t oe) {
      for (int64_t o = ob; o < oe; o++) keel::parallel_for(10, 1, [&](int64_t b, int64_t e) { inner += e - b; });
    });
    CHECK(inner.load() == 160);
  }
  keel_set_num_threads(1);
  printf("keel parallel tests: %d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
