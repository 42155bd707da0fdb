// keel machine benchmark: one core's floating-point peak, float32 FMA, register-resident.
//
//   keel_bench_fma_peak [--ms 200] [--threads 1]
//
// Runs independent FMA chains (enough of them to cover latency x ports on current x86 cores)
// on AVX-512 (16 lanes), AVX2+FMA (8 lanes) and, for reference, scalar FMA -- each only if the
// CPU and OS support it -- and prints one JSON object per ISA (the best of several repetitions):
//   {"isa":"avx512","threads":1,"gflops":..,"lanes":16,"chains":16}
// A FMA is 2 flops per lane. With --threads N every thread runs the same loop and the figure is
// the total (to see how far a second thread scales on shared or SMT cores).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_X86 1
#endif

namespace {

using Clock = std::chrono::steady_clock;
// Independent accumulators per ISA: at least latency (4 cycles) x FMA ports (2) = 8 in flight, and
// few enough to stay in registers with the two constants (32 zmm; 16 ymm/xmm -- more would spill).
constexpr int kChains512 = 16;
constexpr int kChains256 = 12;
constexpr int kChainsScalar = 12;

#if KEEL_X86
__attribute__((target("avx512f"))) double fma_avx512(long iters) {
  __m512 acc[kChains512];
  for (int j = 0; j < kChains512; j++) acc[j] = _mm512_set1_ps(0.001f * static_cast<float>(j));
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; i++) {
    for (int j = 0; j < kChains512; j++) acc[j] = _mm512_fmadd_ps(acc[j], m, a);
  }
  __m512 s = acc[0];
  for (int j = 1; j < kChains512; j++) s = _mm512_add_ps(s, acc[j]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  double r = 0;
  for (float v : out) r += v;
  return r;
}

__attribute__((target("avx2,fma"))) double fma_avx2(long iters) {
  __m256 acc[kChains256];
  for (int j = 0; j < kChains256; j++) acc[j] = _mm256_set1_ps(0.001f * static_cast<float>(j));
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; i++) {
    for (int j = 0; j < kChains256; j++) acc[j] = _mm256_fmadd_ps(acc[j], m, a);
  }
  __m256 s = acc[0];
  for (int j = 1; j < kChains256; j++) s = _mm256_add_ps(s, acc[j]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  double r = 0;
  for (float v : out) r += v;
  return r;
}

__attribute__((target("fma"))) double fma_scalar(long iters) {
  __m128 acc[kChainsScalar];
  for (int j = 0; j < kChainsScalar; j++) acc[j] = _mm_set_ss(0.001f * static_cast<float>(j));
  const __m128 m = _mm_set_ss(0.999999f), a = _mm_set_ss(1e-7f);
  for (long i = 0; i < iters; i++) {
    for (int j = 0; j < kChainsScalar; j++) acc[j] = _mm_fmadd_ss(acc[j], m, a);
  }
  double r = 0;
  for (int j = 0; j < kChainsScalar; j++) r += _mm_cvtss_f32(acc[j]);
  return r;
}
#endif

struct Isa {
  const char* name;
  int lanes;
  int chains;
  double (*fn)(long);
  bool supported;
};

volatile double g_sink;

// Total GFLOP/s of `threads` threads each running fn(iters), wall time from start to last finish.
double run(double (*fn)(long), long iters, int lanes, int chains, int threads) {
  auto t0 = Clock::now();
  std::vector<std::thread> pool;
  std::vector<double> out(threads);
  for (int t = 0; t < threads; t++) pool.emplace_back([&, t] { out[t] = fn(iters); });
  for (auto& th : pool) th.join();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  for (double v : out) g_sink = g_sink + v;
  return 2.0 * lanes * chains * static_cast<double>(iters) * threads / s / 1e9;
}

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "keel_bench_fma_peak: %s\nusage: keel_bench_fma_peak [--ms 200] [--threads 1]\n", msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double ms = 200;
  int threads = 1;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    std::string v = argv[++i];
    if (a == "--ms") ms = std::atof(v.c_str());
    else if (a == "--threads") threads = std::atoi(v.c_str());
    else usage(("unknown option " + a).c_str());
  }
  if (!(ms > 0) || threads < 1 || threads > 1024) usage("bad --ms or --threads");
#if KEEL_X86
  __builtin_cpu_init();
  Isa isas[] = {
      {"avx512", 16, kChains512, fma_avx512, __builtin_cpu_supports("avx512f") != 0},
      {"avx2", 8, kChains256, fma_avx2, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
      {"scalar", 1, kChainsScalar, fma_scalar, __builtin_cpu_supports("fma") != 0},
  };
  for (const Isa& isa : isas) {
    if (!isa.supported) continue;
    // Calibrate the iteration count to about `ms` per repetition, then keep the best of 5.
    long iters = 1 << 16;
    for (;;) {
      auto t0 = Clock::now();
      g_sink = g_sink + isa.fn(iters);
      double s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (s > ms / 1e3 / 4 || iters > (1L << 40)) {
        iters = static_cast<long>(static_cast<double>(iters) * (ms / 1e3) / std::max(s, 1e-9));
        break;
      }
      iters *= 4;
    }
    double best = 0;
    for (int r = 0; r < 5; r++) best = std::max(best, run(isa.fn, iters, isa.lanes, isa.chains, threads));
    std::printf("{\"isa\":\"%s\",\"threads\":%d,\"gflops\":%.2f,\"lanes\":%d,\"chains\":%d}\n", isa.name, threads, best,
                isa.lanes, isa.chains);
    std::fflush(stdout);
  }
  return 0;
#else
  std::fprintf(stderr, "keel_bench_fma_peak: only x86-64 is implemented (AVX-512/AVX2); no figure on this architecture\n");
  return 0;
#endif
}
