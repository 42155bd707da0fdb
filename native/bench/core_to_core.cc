// keel machine benchmark: how far apart two CPUs are, as the round trip of one cache line.
//
//   keel_bench_core_to_core [--cpus 0,1] [--trips 50000] [--reps 7]
//
// Two threads, pinned to two CPUs (Linux; elsewhere they are left where the OS puts them), bounce
// one cache line: the first writes an odd number and spins until the second answers with the next
// even one. A round trip is two cache-line transfers, so it measures how far apart the CPUs are in
// the cache hierarchy: on one shared L3 (one Zen CCD, one Intel socket) it is some tens to ~150
// ns; across Zen CCDs or sockets several hundred. A VM's vCPUs can be moved by the host between
// such placements, and the thread pool's hand-offs, the bandwidth of a copy on both threads and
// other libraries' timings follow (bench/README, Noise), so the benches report this with their
// other machine figures. Prints one JSON object (median and best over REPS timed repetitions of
// TRIPS round trips each, after one untimed repetition):
//   {"cpus":[0,1],"pinned":true,"trips":50000,"reps":7,"ns_median":..,"ns_best":..}
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<int> cpus;  // empty: the first two CPUs this process may run on
  long trips = 50000;
  int reps = 7;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "keel_bench_core_to_core: %s\nusage: keel_bench_core_to_core [--cpus 0,1] [--trips 50000] [--reps 7]\n", msg);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    std::string v = argv[++i];
    if (a == "--trips") {
      o.trips = std::atol(v.c_str());
      if (o.trips < 1) usage("--trips must be positive");
    } else if (a == "--reps") {
      o.reps = std::atoi(v.c_str());
      if (o.reps < 1) usage("--reps must be positive");
    } else if (a == "--cpus") {
      int x = -1, y = -1;
      if (std::sscanf(v.c_str(), "%d,%d", &x, &y) != 2 || x < 0 || y < 0 || x == y) usage("--cpus takes two different CPU numbers, e.g. 0,1");
      o.cpus = {x, y};
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  return o;
}

#if defined(__linux__)
/** The first two CPUs of this process's affinity mask (fewer if it has fewer). */
std::vector<int> allowedCpus() {
  std::vector<int> out;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE && out.size() < 2; c++)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

bool pin(std::thread& t, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(t.native_handle(), sizeof(set), &set) == 0;
}
#endif

// The bounced line, alone in its 64 bytes (and the next line's prefetch pair) so that nothing else
// the threads touch shares it.
struct alignas(128) Line {
  std::atomic<uint64_t> value{0};
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  bool pinned = false;
#if defined(__linux__)
  if (o.cpus.empty()) o.cpus = allowedCpus();
  pinned = true;
#endif
  if (pinned && o.cpus.size() < 2) {
    std::fprintf(stderr, "keel_bench_core_to_core: this process may run on fewer than two CPUs\n");
    return 3;
  }

  Line line;
  const long total = o.trips * (o.reps + 1);
  // The responder answers every odd value v with v + 1, total times.
  std::thread responder([&] {
    for (uint64_t v = 1; v < 2 * static_cast<uint64_t>(total); v += 2) {
      while (line.value.load(std::memory_order_acquire) != v) {
      }
      line.value.store(v + 1, std::memory_order_release);
    }
  });
#if defined(__linux__)
  // The responder on the second CPU, this (the initiating) thread on the first.
  if (!pin(responder, o.cpus[1])) pinned = false;
  cpu_set_t self;
  CPU_ZERO(&self);
  CPU_SET(o.cpus[0], &self);
  if (pthread_setaffinity_np(pthread_self(), sizeof(self), &self) != 0) pinned = false;
#endif

  std::vector<double> ns;
  uint64_t v = 1;
  for (int r = 0; r <= o.reps; r++) {
    const auto t0 = Clock::now();
    for (long i = 0; i < o.trips; i++, v += 2) {
      line.value.store(v, std::memory_order_release);
      while (line.value.load(std::memory_order_acquire) != v + 1) {
      }
    }
    const double elapsed = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    if (r > 0) ns.push_back(elapsed / static_cast<double>(o.trips));  // repetition 0 warms up
  }
  responder.join();

  std::sort(ns.begin(), ns.end());
  const int a = o.cpus.size() >= 2 ? o.cpus[0] : -1, b = o.cpus.size() >= 2 ? o.cpus[1] : -1;
  std::printf("{\"cpus\":[%d,%d],\"pinned\":%s,\"trips\":%ld,\"reps\":%d,\"ns_median\":%.1f,\"ns_best\":%.1f}\n", a, b,
              pinned ? "true" : "false", o.trips, o.reps, ns[ns.size() / 2], ns.front());
  return 0;
}
