// keel machine benchmark: STREAM-style memory bandwidth (copy and triad) with 1..N threads.
//
//   keel_bench_stream [--mb 32] [--threads 1,2] [--reps 15]
//
// Each array is MB mebibytes of float32 (default 32 MiB: the size of the BatchNorm/dropout bench
// input). Every thread first-touches and then always processes the same contiguous slice. A run
// is timed from a barrier release to the last thread finishing; the threads are created once.
// Bytes are counted as STREAM does: copy moves 2 arrays (read a, write b), triad 3 (read b, c,
// write a) -- write-allocate traffic is not counted. Prints one JSON object per (kernel, threads):
//   {"kernel":"copy","threads":1,"mb":32,"reps":15,"gbs_best":..,"gbs_median":..}
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  double mb = 32;
  std::vector<int> threads;
  int reps = 15;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "keel_bench_stream: %s\nusage: keel_bench_stream [--mb 32] [--threads 1,2] [--reps 15]\n", msg);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    std::string v = argv[++i];
    if (a == "--mb") {
      o.mb = std::atof(v.c_str());
      if (!(o.mb > 0)) usage("--mb must be positive");
    } else if (a == "--reps") {
      o.reps = std::atoi(v.c_str());
      if (o.reps < 1) usage("--reps must be positive");
    } else if (a == "--threads") {
      size_t pos = 0;
      while (pos <= v.size()) {
        size_t comma = v.find(',', pos);
        if (comma == std::string::npos) comma = v.size();
        int t = std::atoi(v.substr(pos, comma - pos).c_str());
        if (t < 1 || t > 1024) usage("--threads: each count must be in [1, 1024]");
        o.threads.push_back(t);
        pos = comma + 1;
      }
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.threads.empty()) {
    int hw = static_cast<int>(std::thread::hardware_concurrency());
    o.threads.push_back(1);
    if (hw > 1) o.threads.push_back(hw);
  }
  return o;
}

// A sense-reversing spin barrier (the timed region is a few ms: no futex wake-up latency).
class Barrier {
 public:
  explicit Barrier(int n) : n_(n) {}
  void wait() {
    const int sense = sense_.load(std::memory_order_relaxed);
    if (count_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
      count_.store(0, std::memory_order_relaxed);
      sense_.store(1 - sense, std::memory_order_release);
    } else {
      while (sense_.load(std::memory_order_acquire) == sense) std::this_thread::yield();
    }
  }

 private:
  const int n_;
  std::atomic<int> count_{0};
  std::atomic<int> sense_{0};
};

enum Kernel { kInit = 0, kCopy = 1, kTriad = 2, kStop = 3 };

// Plain loops, vectorised by the compiler with the baseline ISA (SSE2 on x86-64; build with -O3 or
// -O2 -ftree-vectorize). The copy must stay a loop of loads and stores: a memcpy call could use
// non-temporal stores and measure DRAM instead of the cache level the kernels run in, hence the
// optimize attribute (GCC) against loop-to-memcpy distribution.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
void run_slice(Kernel k, float* __restrict a, float* __restrict b, float* __restrict c, size_t lo, size_t hi) {
  switch (k) {
    case kInit:
      for (size_t i = lo; i < hi; i++) { a[i] = 1.0f; b[i] = 2.0f; c[i] = 0.5f; }
      break;
    case kCopy:
      for (size_t i = lo; i < hi; i++) b[i] = a[i];
      break;
    case kTriad:
      for (size_t i = lo; i < hi; i++) a[i] = b[i] + 3.0f * c[i];
      break;
    case kStop:
      break;
  }
}

struct Result {
  double best, median;
};

Result measure(int nthreads, size_t n, int reps, Kernel kernel, double bytes) {
  // Uninitialised: each worker first-touches its own slice (kInit).
  std::unique_ptr<float[]> va(new float[n]), vb(new float[n]), vc(new float[n]);
  float *a = va.get(), *b = vb.get(), *c = vc.get();
  // The calling thread is worker 0; nthreads - 1 more are created once. Nobody spins idle while
  // the others work (on a 2-core machine a spinning coordinator would steal a worker's core).
  Barrier start(nthreads), done(nthreads);
  std::atomic<int> cmd{kInit};
  auto slice = [n, nthreads](int t, size_t* lo, size_t* hi) {
    // 16-float aligned boundaries so no two threads share a cache line.
    size_t per = (n / nthreads + 15) / 16 * 16;
    *lo = std::min(n, per * t);
    *hi = t == nthreads - 1 ? n : std::min(n, per * (t + 1));
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < nthreads; t++) {
    pool.emplace_back([&, t] {
      size_t lo, hi;
      slice(t, &lo, &hi);
      for (;;) {
        start.wait();
        Kernel k = static_cast<Kernel>(cmd.load(std::memory_order_acquire));
        if (k == kStop) break;
        run_slice(k, a, b, c, lo, hi);
        done.wait();
      }
    });
  }
  size_t lo0, hi0;
  slice(0, &lo0, &hi0);
  auto issue = [&](Kernel k) {
    cmd.store(k, std::memory_order_release);
    auto t0 = Clock::now();
    start.wait();
    if (k == kStop) return 0.0;
    run_slice(k, a, b, c, lo0, hi0);
    done.wait();
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  issue(kInit);
  issue(kernel);  // warm-up
  std::vector<double> gbs;
  for (int r = 0; r < reps; r++) gbs.push_back(bytes / issue(kernel) / 1e9);
  issue(kStop);
  for (auto& th : pool) th.join();
  volatile float sink = a[n / 2] + b[n / 3];
  (void)sink;
  std::sort(gbs.begin(), gbs.end());
  return {gbs.back(), gbs[gbs.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  const size_t n = static_cast<size_t>(o.mb * 1024 * 1024 / sizeof(float));
  const double array_bytes = static_cast<double>(n) * sizeof(float);
  struct {
    const char* name;
    Kernel k;
    int arrays;
  } kernels[] = {{"copy", kCopy, 2}, {"triad", kTriad, 3}};
  for (int t : o.threads) {
    for (auto& k : kernels) {
      Result r = measure(t, n, o.reps, k.k, k.arrays * array_bytes);
      std::printf("{\"kernel\":\"%s\",\"threads\":%d,\"mb\":%g,\"reps\":%d,\"gbs_best\":%.2f,\"gbs_median\":%.2f}\n", k.name, t,
                  o.mb, o.reps, r.best, r.median);
      std::fflush(stdout);
    }
  }
  return 0;
}
