// The thread pool: every task runs exactly once for any pool size, chunking and nesting; resizing
// works; a parallel_for inside a parallel region runs serially instead of deadlocking; a thread that
// is held up in its own range of chunks gets help from the others (stealing).
#include <stdio.h>

#include <atomic>
#include <chrono>
#include <thread>
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
  // Two threads, 8 chunks: the caller's range is [0, 4), the worker's [4, 8). Whoever runs chunk 0
  // (the caller, claiming its range's front) waits there until another thread has run a chunk of
  // [1, 4): the worker, having finished its own range, must steal from the back of the caller's.
  CHECK(keel_set_num_threads(2) == 0);
  {
    const std::thread::id caller = std::this_thread::get_id();
    std::atomic<bool> helped{false};
    std::vector<std::atomic<int>> hits(8);
    keel::parallel_for(8, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) {
        if (i == 0) {
          const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (!helped.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
        } else if (i < 4 && std::this_thread::get_id() != caller) {
          helped = true;
        }
        hits[i]++;
      }
    });
    CHECK(helped.load());
    bool once = true;
    for (auto& h : hits) once &= h.load() == 1;
    CHECK(once);
  }
  keel_set_num_threads(1);
  printf("keel parallel tests: %d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
