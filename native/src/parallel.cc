// A small fixed thread pool. parallel_for hands out chunks of tasks through an atomic counter; the
// calling thread works too and returns when every chunk is done. One parallel region runs at a time
// (a mutex serialises callers), which is all the kernels need.
#include "parallel.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "keel.h"

namespace keel {
namespace {

class Pool {
 public:
  ~Pool() { resize(1); }

  int size() {
    std::lock_guard<std::mutex> run(run_mutex_);
    return (int)workers_.size() + 1;
  }

  void resize(int threads) {
    std::lock_guard<std::mutex> run(run_mutex_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stopping_ = false;
    for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work_loop(); });
  }

  void run(int64_t tasks, int64_t grain, void (*fn)(void*, int64_t, int64_t), void* ctx) {
    if (grain < 1) grain = 1;
    const int64_t chunks = (tasks + grain - 1) / grain;
    std::unique_lock<std::mutex> run(run_mutex_, std::try_to_lock);
    // Serial when there is nothing to share, or when called from inside a parallel region.
    if (!run.owns_lock() || workers_.empty() || chunks <= 1) {
      if (tasks > 0) fn(ctx, 0, tasks);
      return;
    }
    Job job{fn, ctx, tasks, grain, chunks};
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // A worker that woke for the previous job only after it finished may still hold a copy of it
      // and be about to claim chunks: let it leave before the counter is reset for this job.
      finished_.wait(lock, [&] { return active_ == 0; });
      job_ = job;
      next_.store(0);
      done_ = 0;
      generation_++;
    }
    wake_.notify_all();
    const int64_t mine = do_chunks(job);
    std::unique_lock<std::mutex> lock(mutex_);
    done_ += mine;
    // Every chunk done, and every worker that joined this job has left it: none can touch job_ or
    // next_ once the next job is published.
    finished_.wait(lock, [&] { return done_ == chunks && active_ == 0; });
  }

 private:
  struct Job {
    void (*fn)(void*, int64_t, int64_t) = nullptr;
    void* ctx = nullptr;
    int64_t tasks = 0, grain = 1, chunks = 0;
  };

  // Claims and runs chunks of `job` until none is left; returns how many this thread ran.
  int64_t do_chunks(const Job& job) {
    int64_t ran = 0;
    for (int64_t c; (c = next_.fetch_add(1)) < job.chunks; ran++) {
      const int64_t b = c * job.grain, e = b + job.grain < job.tasks ? b + job.grain : job.tasks;
      job.fn(job.ctx, b, e);
    }
    return ran;
  }

  void work_loop() {
    uint64_t seen = 0;
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
        active_++;
      }
      const int64_t ran = do_chunks(job);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_ += ran;
        active_--;
      }
      finished_.notify_all();
    }
  }

  std::mutex run_mutex_;  // one parallel region (or resize) at a time
  std::mutex mutex_;      // guards job_, generation_, done_, active_, stopping_
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  Job job_;
  std::atomic<int64_t> next_{0};
  int64_t done_ = 0;
  int active_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void parallel_for(int64_t tasks, int64_t grain, void (*fn)(void*, int64_t, int64_t), void* ctx) {
  pool().run(tasks, grain, fn, ctx);
}

}  // namespace keel

extern "C" int keel_num_threads(void) { return keel::pool().size(); }

extern "C" int keel_set_num_threads(int threads) {
  if (threads < 1 || threads > 1024) return -1;
  keel::pool().resize(threads);
  return 0;
}
