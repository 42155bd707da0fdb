// A small fixed thread pool. parallel_for cuts a region's chunks of tasks into one contiguous range
// per thread (the caller's first, then each worker's in order); a thread claims the chunks of its own
// range from the front and, when it is empty, steals from the backs of the others'. The calling
// thread works too and returns when every chunk is done. One parallel region runs at a time.
// The pool is one per process, shared by every JS thread that loaded the addon (the main thread and
// worker_threads each run the addon's init, but C++ statics exist once): a caller that finds the pool
// busy (another JS thread's region, or a resize) does not wait for it but runs its loop serially on
// its own thread, which gives the same bits (work is split by shape, parallel.h). So two JS threads
// never wait on each other inside a kernel, and no lock is held while waiting for anything but the
// pool's own workers: no deadlock. Its threads are not tied to any env, so no env cleanup hook stops
// them; they live until the library is unloaded (the static's destructor joins them).
//
// Hand-offs spin briefly before they sleep: a worker that finished a region polls for the next one,
// and a caller that finished its chunks polls for the workers', for up to kSpin each, before
// blocking on the condition variable. A training step is a chain of kernels of 0.02-0.5 ms with a
// little JS between them; waking a sleeping thread through a futex costs 5-50 us on this machine
// kind's VMs, which measured as most of the gap between one and two threads on the MLP's GEMMs.
// The JS between two kernels of a step (autograd, the optimiser's loop) often takes longer than
// 50 us: spinning 150 us instead made the MLP's step 2-5% faster and the backbone's 1-2% (bench:ab,
// Zen 5, 2 threads); 500 us and 2 ms gained nothing more. (OpenMP runtimes spin far longer by
// default: libgomp 300k iterations.) A bounded spin costs at most kSpin of CPU per region when
// nothing follows. With more threads than the CPUs the process may run on, nobody spins: a spinning
// thread would hold a CPU that a thread with chunks to run is waiting for.
//
// Why ranges rather than one shared counter. A VM's vCPUs can sit on two CPU complexes with an L3
// each (bench/README, Noise: a cache line's round trip ~470 ns instead of ~120), where every line one
// thread wrote and the other touches next crosses the fabric. A shared counter was such a line at
// every claim (the §1 backbone's convolutions hand out 256 chunks of ~3 us each), and threads took
// chunks in arrival order, so each kernel read about half its input from the other complex. With a
// range per thread a claim stays in the claimer's cache, and consecutive kernels split the same way
// (the sample-major convolutions; the channel-major BatchNorm passes) find on each thread what that
// thread wrote. With the vCPUs apart the backbone's training step ran 5% faster, its eval forward
// 14% and the MLP's step 9% (bench:ab, Zen 5, 2 threads, medians of 32 runs; with them close, 1%, 9%
// and 10%, never slower). Handing the ranges out the other way round every other region (claims
// still local, the data no longer) kept two thirds of the step's gain, a third of the eval's and a
// seventh of the MLP's: both effects count. Stealing keeps the balance a shared counter gave when a
// thread starts late or the host takes its vCPU for a while. Which thread runs a chunk still changes
// no result.
#include "parallel.h"

#if defined(__linux__)
#include <sched.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "keel.h"

namespace keel {
namespace {

// True while this thread runs chunks of a parallel region, as its caller or as a pool worker: a
// parallel_for called from inside one runs serially. Asked of the thread, not of run_mutex_, because
// try_lock on a std::mutex the calling thread already holds is undefined behaviour.
thread_local bool in_region = false;

// How long a hand-off polls before it sleeps (see the header).
constexpr std::chrono::microseconds kSpin{150};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// The CPUs this process may run on (its affinity mask on Linux), at least 1.
int usable_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? (int)n : 1;
}

// Polls ready() for up to kSpin (not at all when `spin` is false); true as soon as it holds. The
// clock is read every 64 polls.
template <typename Ready>
bool spin_until(const Ready& ready, bool spin) {
  if (!spin) return ready();
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1;; i++) {
    if (ready()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= until) return false;
  }
}

struct RegionScope {
  RegionScope() { in_region = true; }
  ~RegionScope() { in_region = false; }
};

class Pool {
 public:
  ~Pool() { resize(1); }

  // Never waits: numThreads() from one JS thread must not block behind another's kernel.
  int size() const { return size_.load(); }

  // Waits for the running region (if any) to end. Each env's loader sets the size it wants, so a
  // request for the current size changes nothing rather than restarting every thread.
  // Returns false if the OS refused some of the threads; the pool then runs with those it started.
  bool resize(int threads) {
    std::lock_guard<std::mutex> run(run_mutex_);
    if ((int)workers_.size() + 1 == threads) return true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stopping_ = false;
    // The OS may refuse a thread (a process limit in a container): keep the ones it gave rather than
    // let std::system_error escape into Node, which would abort the whole process.
    bool complete = true;
    try {
      // A new worker waits for the next region, not the last one (generation_ changes only under
      // run_mutex_, held here), so it never reads ranges_ while this call replaces it.
      for (int i = 1; i < threads; i++) workers_.emplace_back([this, i, g = generation_] { work_loop((size_t)i, g); });
    } catch (const std::system_error&) {
      complete = false;
    }
    ranges_ = std::vector<Range>(workers_.size() + 1);
    size_.store((int)workers_.size() + 1);
    spin_.store((int)workers_.size() + 1 <= usable_cpus(), std::memory_order_relaxed);
    return complete;
  }

  void run(int64_t tasks, int64_t grain, void (*fn)(void*, int64_t, int64_t), void* ctx) {
    if (grain < 1) grain = 1;
    // claim() packs a range's two ends into one 64-bit word: at most 2^31 chunks.
    constexpr int64_t kMaxChunks = int64_t{1} << 31;
    if ((tasks + grain - 1) / grain > kMaxChunks) grain = (tasks + kMaxChunks - 1) / kMaxChunks;
    const int64_t chunks = (tasks + grain - 1) / grain;
    // Serial when there is nothing to share, when called from inside a parallel region, or when the
    // pool is busy with another thread's region or a resize (try_to_lock: never wait for it).
    std::unique_lock<std::mutex> run;
    if (!in_region && chunks > 1) run = std::unique_lock<std::mutex>(run_mutex_, std::try_to_lock);
    if (!run.owns_lock() || workers_.empty()) {
      if (tasks > 0) fn(ctx, 0, tasks);
      return;
    }
    Job job{fn, ctx, tasks, grain, chunks};
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // A worker that woke for the previous job only after it finished may still hold a copy of it
      // and be about to claim chunks: let it leave before the ranges are reset for this job.
      finished_.wait(lock, [&] { return active_ == 0; });
      job_ = job;
      const int64_t T = (int64_t)ranges_.size();
      for (int64_t k = 0; k < T; k++) {
        const uint64_t b = (uint64_t)(chunks * k / T), e = (uint64_t)(chunks * (k + 1) / T);
        ranges_[k].ends.store((b << 32) | e, std::memory_order_relaxed);
      }
      done_ = 0;
      settled_.store(false);
      generation_++;
      published_.store(generation_, std::memory_order_release);
    }
    wake_.notify_all();
    int64_t mine;
    {
      RegionScope scope;
      mine = do_chunks(job, 0);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_ += mine;
    // Every chunk done, and every worker that joined this job has left it: none can touch job_ or
    // ranges_ once the next job is published.
    const auto all_done = [&] { return done_ == chunks && active_ == 0; };
    if (!all_done()) {
      lock.unlock();
      spin_until([&] { return settled_.load(std::memory_order_acquire); }, spin_.load(std::memory_order_relaxed));
      lock.lock();
    }
    finished_.wait(lock, all_done);
  }

 private:
  struct Job {
    void (*fn)(void*, int64_t, int64_t) = nullptr;
    void* ctx = nullptr;
    int64_t tasks = 0, grain = 1, chunks = 0;
  };

  // Claims a chunk of range k, the first of [begin, end) for its owner, the last for a thief; -1
  // when the range is empty. Both ends live in one word, so an owner and a thief never take the same.
  int64_t claim(size_t k, bool owner) {
    std::atomic<uint64_t>& ends = ranges_[k].ends;
    uint64_t now = ends.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t b = now >> 32, e = now & 0xffffffffu;
      if (b >= e) return -1;
      const uint64_t next = owner ? ((b + 1) << 32) | e : (b << 32) | (e - 1);
      if (ends.compare_exchange_weak(now, next, std::memory_order_relaxed)) return (int64_t)(owner ? b : e - 1);
    }
  }

  // Runs the chunks of `job` this thread claims, its own range's first; returns how many it ran.
  int64_t do_chunks(const Job& job, size_t me) {
    int64_t ran = 0;
    const size_t T = ranges_.size();
    for (size_t j = 0; j < T; j++) {
      const size_t k = (me + j) % T;
      for (int64_t c; (c = claim(k, j == 0)) >= 0; ran++) {
        const int64_t b = c * job.grain, e = b + job.grain < job.tasks ? b + job.grain : job.tasks;
        job.fn(job.ctx, b, e);
      }
    }
    return ran;
  }

  void work_loop(size_t me, uint64_t seen) {
    in_region = true;  // a pool thread only ever runs chunks of some region
    for (;;) {
      Job job;
      spin_until([&] { return published_.load(std::memory_order_acquire) != seen; }, spin_.load(std::memory_order_relaxed));
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
        active_++;
      }
      const int64_t ran = do_chunks(job, me);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_ += ran;
        active_--;
        if (done_ == job.chunks && active_ == 0) settled_.store(true, std::memory_order_release);
      }
      finished_.notify_all();
    }
  }

  std::mutex run_mutex_;  // one parallel region (or resize) at a time; guards workers_ and ranges_.size()
  std::mutex mutex_;      // guards job_, generation_, done_, active_, stopping_
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  Job job_;
  // One per thread (the caller's is 0), each on its own cache lines: begin << 32 | end.
  struct alignas(128) Range {
    std::atomic<uint64_t> ends{0};
  };
  std::vector<Range> ranges_ = std::vector<Range>(1);
  int64_t done_ = 0;
  int active_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  // Lock-free mirrors for the spinning hand-offs: generation_ once published, and whether the
  // current region's workers are done (done_ == chunks && active_ == 0, seen by the last to leave).
  std::atomic<uint64_t> published_{0};
  std::atomic<bool> settled_{false};
  std::atomic<int> size_{1};  // workers_.size() + 1, readable without run_mutex_
  std::atomic<bool> spin_{true};  // whether hand-offs spin: no more threads than usable CPUs
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
  return keel::pool().resize(threads) ? 0 : -2;
}
