// Streaming (non-temporal) or ordinary stores for one kernel's large outputs, chosen by timing the
// kernel's own first calls. Which is faster differs between the CPUs of this machine kind: Dropout
// over 32 MB (forward + backward) streamed in 4.8 ms against 6.4 ms with ordinary stores where its
// streaming stores were chosen, but ran 10-13% slower streamed on the AMD EPYC Zen 5 (family 26; the
// same run's BatchNorm gained 8-27% from streaming there, so it is not the CPU's stores as such).
// Rather than name CPUs, the first kTrials calls of each kind alternate and the faster per byte (the
// best call of each kind) is kept for the rest of the process. Both kinds write the same bits: only
// the speed depends on the choice, and on how noisy the host was while it was measured.
//
// Thread-safe (atomics): concurrent callers may share the trials; a call made while the last trials
// are still running streams or not as the best times so far say.
#ifndef KEEL_STORE_CHOICE_H_
#define KEEL_STORE_CHOICE_H_

#include <stdint.h>

#include <atomic>
#include <chrono>

namespace keel {

class StoreChoice {
 public:
  static constexpr int kTrials = 3;  // timed calls of each kind

  // run(stream) for one call writing `bytes`: timed while the choice is being measured.
  template <typename Run>
  void run(int64_t bytes, const Run& run) {
    const int decided = decided_.load(std::memory_order_acquire);
    if (decided != kUndecided) return run(decided == kStream);
    const int trial = started_.fetch_add(1, std::memory_order_relaxed);
    if (trial >= 2 * kTrials) return run(faster_so_far());
    const bool stream = (trial & 1) != 0;
    const auto t0 = std::chrono::steady_clock::now();
    run(stream);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    record(stream, ns / (double)(bytes > 0 ? bytes : 1));
  }

  // One timed call's nanoseconds per byte; the choice is made once every trial is in.
  void record(bool stream, double ns_per_byte) {
    std::atomic<double>& best = best_[stream ? 1 : 0];
    double seen = best.load(std::memory_order_relaxed);
    while (ns_per_byte < seen && !best.compare_exchange_weak(seen, ns_per_byte, std::memory_order_relaxed)) {
    }
    if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == 2 * kTrials) {
      decided_.store(faster_so_far() ? kStream : kPlain, std::memory_order_release);
    }
  }

  // -1 while measuring, else 1 for streaming stores, 0 for ordinary ones.
  int decided() const {
    const int d = decided_.load(std::memory_order_acquire);
    return d == kUndecided ? -1 : d == kStream ? 1 : 0;
  }

 private:
  enum { kUndecided, kPlain, kStream };
  // Streaming only when it was measured faster (ties and missing trials keep ordinary stores).
  bool faster_so_far() const {
    return best_[1].load(std::memory_order_relaxed) < best_[0].load(std::memory_order_relaxed);
  }
  std::atomic<int> started_{0}, finished_{0}, decided_{kUndecided};
  std::atomic<double> best_[2]{{1e300}, {1e300}};  // best ns per byte: [0] ordinary, [1] streaming
};

}  // namespace keel

#endif  // KEEL_STORE_CHOICE_H_
