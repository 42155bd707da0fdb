// Conv1d SIMD variants against the scalar variant (the C++ port of the JS reference) over a table
// of shapes that hits every tail (output lengths 1..70 for 8- and 16-lane tiles of 1..4 vectors,
// output-channel counts 1..13 for every register-tile height), padding (symmetric, asymmetric,
// larger than the kernel), stride, dilation, groups and bias; then bitwise determinism across
// 1..4 threads on shapes large enough to be split into many tasks.
//   keel_conv1d_tests            run the tests
//   keel_conv1d_tests --bench    time the bench shape (Conv1d 128->128, k3, p1, x 32x128x512)
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "keel.h"
#include "check.h"


static void check_close(const char* what, const std::vector<float>& got, const std::vector<float>& want,
                        float atol, float rtol) {
  if (got.size() != want.size()) {
    failures++;
    fprintf(stderr, "FAIL [%s] %s: size\n", context.c_str(), what);
    return;
  }
  for (size_t i = 0; i < got.size(); i++) {
    if (!(fabsf(got[i] - want[i]) <= atol + rtol * fabsf(want[i]))) {
      failures++;
      fprintf(stderr, "FAIL [%s] %s[%zu]: expected %.9g, got %.9g\n", context.c_str(), what, i, want[i], got[i]);
      return;
    }
  }
}

static std::vector<float> rnd(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g);
  return v;
}

struct Case {
  int64_t N, Cin, L, Cout, K, s, pl, pr, d, g;
  bool bias;
};

struct Outs {
  std::vector<float> y, dx, dw, db;
};

// Output buffers are filled with NaN and carry guard words after the end.
static Outs run(const keel_kernels* k, const Case& c, const std::vector<float>& x, const std::vector<float>& w,
                const std::vector<float>& b, const std::vector<float>& dy) {
  keel_conv1d_params p{c.N, c.Cin, c.L, c.Cout, c.K, c.s, c.pl, c.pr, c.d, c.g};
  const int64_t Lout = keel_conv1d_out_length(&p);
  const size_t ny = (size_t)(c.N * c.Cout * Lout), nx = (size_t)(c.N * c.Cin * c.L), nw = w.size();
  const float guard = 12345.5f;
  std::vector<float> y(ny + 16, NAN), dx(nx + 16, NAN), dw(nw + 16, NAN), db((size_t)c.Cout + 16, NAN);
  for (auto* v : {&y, &dx, &dw, &db}) for (size_t i = v->size() - 16; i < v->size(); i++) (*v)[i] = guard;
  k->conv1d_forward(y.data(), x.data(), w.data(), c.bias ? b.data() : nullptr, &p);
  k->conv1d_backward_data(dx.data(), dy.data(), w.data(), &p);
  k->conv1d_backward_weight(dw.data(), x.data(), dy.data(), &p);
  k->conv1d_backward_bias(db.data(), dy.data(), &p);
  Outs o;
  for (auto* v : {&y, &dx, &dw, &db}) {
    for (size_t i = v->size() - 16; i < v->size(); i++)
      if ((*v)[i] != guard) {
        failures++;
        fprintf(stderr, "FAIL [%s] wrote past the end of an output\n", context.c_str());
        break;
      }
    v->resize(v->size() - 16);
  }
  o.y = y, o.dx = dx, o.dw = dw, o.db = db;
  return o;
}

static std::string name(const Case& c) {
  char buf[200];
  snprintf(buf, sizeof buf, "x(%lld,%lld,%lld) w(%lld,%lld,%lld) s%lld p%lld/%lld d%lld g%lld%s", (long long)c.N,
           (long long)c.Cin, (long long)c.L, (long long)c.Cout, (long long)(c.Cin / c.g), (long long)c.K,
           (long long)c.s, (long long)c.pl, (long long)c.pr, (long long)c.d, (long long)c.g, c.bias ? " bias" : "");
  return buf;
}

static void inputs(const Case& c, std::vector<float>& x, std::vector<float>& w, std::vector<float>& b,
                   std::vector<float>& dy, uint32_t seed) {
  keel_conv1d_params p{c.N, c.Cin, c.L, c.Cout, c.K, c.s, c.pl, c.pr, c.d, c.g};
  const int64_t Lout = keel_conv1d_out_length(&p);
  x = rnd((size_t)(c.N * c.Cin * c.L), seed);
  w = rnd((size_t)(c.Cout * (c.Cin / c.g) * c.K), seed + 1);
  b = rnd((size_t)c.Cout, seed + 2);
  dy = rnd((size_t)(c.N * c.Cout * Lout), seed + 3);
}

static std::vector<Case> table() {
  std::vector<Case> cs;
  for (int64_t L = 1; L <= 70; L++) cs.push_back({2, 3, L, 5, 3, 1, 1, 1, 1, 1, true});
  for (int64_t co = 1; co <= 13; co++) {
    cs.push_back({2, 4, 64, co, 3, 1, 1, 1, 1, 1, false});
    cs.push_back({1, co, 33, 4, 3, 1, 1, 1, 1, 1, false});
    cs.push_back({2, 5, 20, co, 3, 1, 1, 1, 1, 1, co % 2 == 0});
    cs.push_back({1, 3, 150, co, 3, 1, 1, 1, 1, 1, false});
  }
  cs.push_back({1, 1, 1, 1, 1, 1, 0, 0, 1, 1, false});
  cs.push_back({3, 7, 31, 11, 5, 2, 2, 2, 1, 1, false});
  cs.push_back({2, 4, 29, 6, 3, 3, 0, 0, 2, 1, true});
  cs.push_back({2, 6, 23, 4, 4, 1, 1, 2, 1, 2, true});
  cs.push_back({2, 8, 19, 8, 3, 1, 1, 1, 1, 8, false});
  cs.push_back({1, 5, 13, 10, 2, 1, 3, 0, 3, 5, true});
  cs.push_back({2, 14, 30, 16, 3, 1, 1, 1, 1, 1, false});
  cs.push_back({2, 17, 37, 13, 7, 2, 4, 1, 2, 1, true});
  cs.push_back({0, 2, 5, 2, 3, 1, 0, 0, 1, 1, false});
  cs.push_back({2, 3, 5, 4, 3, 1, 5, 6, 1, 1, true});     // padding wider than the input
  cs.push_back({2, 3, 40, 4, 5, 1, 0, 7, 3, 1, false});   // asymmetric, dilated
  cs.push_back({2, 3, 100, 4, 3, 4, 3, 2, 1, 1, false});  // stride 4
  cs.push_back({3, 9, 70, 6, 9, 1, 4, 4, 1, 3, true});    // groups 3, k 9
  cs.push_back({2, 12, 90, 20, 3, 1, 1, 1, 2, 4, false});
  cs.push_back({1, 2, 9, 3, 40, 1, 20, 20, 1, 1, false}); // k above the SIMD limit: scalar fallback
  cs.push_back({4, 14, 30, 64, 3, 1, 1, 1, 1, 1, false}); // backbone layers
  cs.push_back({4, 64, 30, 64, 3, 1, 1, 1, 1, 1, false});
  cs.push_back({2, 32, 517, 24, 3, 1, 1, 1, 1, 1, true});
  cs.push_back({1, 2, 300, 2, 1, 1, 0, 0, 1, 1, false});
  cs.push_back({2, 3, 0, 4, 3, 1, 2, 2, 1, 1, true});     // empty input, output from padding only
  cs.push_back({3, 5, 1, 3, 3, 1, 1, 1, 1, 1, false});
  cs.push_back({2, 70, 40, 9, 2, 1, 1, 0, 1, 1, false});   // k 2, input channels over one 32-slice
  cs.push_back({2, 6, 50, 150, 4, 1, 2, 1, 1, 1, false});  // many output channels, k 4
  cs.push_back({2, 0, 40, 5, 3, 1, 1, 1, 1, 1, true});     // no input channels: y = bias
  cs.push_back({2, 5, 40, 0, 3, 1, 1, 1, 1, 1, false});    // no output channels: dx = 0
  cs.push_back({2, 3, 600, 5, 5, 3, 2, 2, 4, 1, true});    // several position blocks, stride 3, dilation 4
  return cs;
}

static void test_parity() {
  const keel_kernels* ref = keel_kernels_for(KEEL_ISA_SCALAR);
  for (keel_isa isa : {KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON}) {
    if (!keel_isa_supported(isa)) continue;
    const keel_kernels* k = keel_kernels_for(isa);
    uint32_t seed = 7;
    for (const Case& c : table()) {
      context = std::string(keel_isa_name(isa)) + " " + name(c);
      std::vector<float> x, w, b, dy;
      inputs(c, x, w, b, dy, seed += 11);
      const Outs want = run(ref, c, x, w, b, dy), got = run(k, c, x, w, b, dy);
      check_close("y", got.y, want.y, 1e-5f, 1e-5f);
      check_close("dx", got.dx, want.dx, 1e-5f, 1e-5f);
      check_close("dw", got.dw, want.dw, 1e-4f, 1e-5f);
      check_close("db", got.db, want.db, 1e-4f, 1e-5f);
    }
  }
}

// Inputs placed flush against a PROT_NONE page (after the end, or before the start): an
// unmasked SIMD read outside an input faults.
struct Guarded {
  char* base = nullptr;
  size_t len = 0;
  float* data = nullptr;
  Guarded(const std::vector<float>& v, bool at_end) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = v.size() * sizeof(float);
    const size_t data_pages = (bytes + page - 1) / page + 1;
    len = (data_pages + 2) * page;
    base = (char*)mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(base, page, PROT_NONE);
    mprotect(base + len - page, page, PROT_NONE);
    data = at_end ? (float*)(base + len - page - bytes) : (float*)(base + page);
    if (bytes) memcpy(data, v.data(), bytes);
  }
  ~Guarded() { munmap(base, len); }
};

static void test_guard_pages() {
  for (keel_isa isa : {KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON}) {
    if (!keel_isa_supported(isa)) continue;
    const keel_kernels* k = keel_kernels_for(isa);
    uint32_t seed = 3;
    for (const Case& c : table()) {
      for (bool at_end : {true, false}) {
        context = std::string("guard ") + keel_isa_name(isa) + " " + name(c);
        std::vector<float> x, w, b, dy;
        inputs(c, x, w, b, dy, seed += 7);
        Guarded gx(x, at_end), gw(w, at_end), gb(b, at_end), gdy(dy, at_end);
        keel_conv1d_params p{c.N, c.Cin, c.L, c.Cout, c.K, c.s, c.pl, c.pr, c.d, c.g};
        const int64_t Lout = keel_conv1d_out_length(&p);
        std::vector<float> y((size_t)(c.N * c.Cout * Lout) + 1), dx(x.size() + 1), dw(w.size() + 1), db(b.size() + 1);
        k->conv1d_forward(y.data(), gx.data, gw.data, c.bias ? gb.data : nullptr, &p);
        k->conv1d_backward_data(dx.data(), gdy.data, gw.data, &p);
        k->conv1d_backward_weight(dw.data(), gx.data, gdy.data, &p);
        k->conv1d_backward_bias(db.data(), gdy.data, &p);
      }
    }
  }
}

static void test_threads() {
  const Case cases[] = {
      {5, 40, 300, 36, 3, 1, 1, 1, 1, 1, true},
      {33, 64, 30, 64, 3, 1, 1, 1, 1, 1, false},
      {3, 24, 257, 20, 5, 2, 2, 2, 2, 2, true},
  };
  for (keel_isa isa : {KEEL_ISA_SCALAR, KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON}) {
    if (!keel_isa_supported(isa)) continue;
    const keel_kernels* k = keel_kernels_for(isa);
    for (const Case& c : cases) {
      context = std::string("threads ") + keel_isa_name(isa) + " " + name(c);
      std::vector<float> x, w, b, dy;
      inputs(c, x, w, b, dy, 99);
      keel_set_num_threads(1);
      const Outs one = run(k, c, x, w, b, dy);
      for (int t : {2, 3, 4}) {
        keel_set_num_threads(t);
        const Outs o = run(k, c, x, w, b, dy);
        if (memcmp(o.y.data(), one.y.data(), o.y.size() * 4) || memcmp(o.dx.data(), one.dx.data(), o.dx.size() * 4) ||
            memcmp(o.dw.data(), one.dw.data(), o.dw.size() * 4) || memcmp(o.db.data(), one.db.data(), o.db.size() * 4)) {
          failures++;
          fprintf(stderr, "FAIL [%s] %d threads differ from 1\n", context.c_str(), t);
        }
      }
    }
  }
  keel_set_num_threads(1);
}

// Wall-clock median, or with KEEL_BENCH_CPU=1 the median of process CPU time (single-thread runs on
// a shared machine: time the kernel only while it is scheduled).
static double median_ms(const std::function<void()>& f, int reps) {
  std::vector<double> ts;
  const bool cpu = getenv("KEEL_BENCH_CPU") != nullptr;
  f();
  for (int r = 0; r < reps; r++) {
    timespec a, b;
    auto t0 = std::chrono::steady_clock::now();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    f();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    const double c = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) * 1e-6;
    ts.push_back(cpu ? c : std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ts.begin(), ts.end());
  return ts[ts.size() / 2];
}

static void bench(int argc, char** argv) {
  Case c{32, 128, 512, 128, 3, 1, 1, 1, 1, 1, false};
  if (argc > 2 && !strcmp(argv[2], "backbone")) c = {256, 64, 30, 64, 3, 1, 1, 1, 1, 1, false};
  std::vector<float> x, w, b, dy;
  inputs(c, x, w, b, dy, 1);
  keel_conv1d_params p{c.N, c.Cin, c.L, c.Cout, c.K, c.s, c.pl, c.pr, c.d, c.g};
  const int64_t Lout = keel_conv1d_out_length(&p);
  std::vector<float> y((size_t)(c.N * c.Cout * Lout)), dx(x.size()), dw(w.size());
  const double gflop = 2.0 * c.N * c.Cout * c.Cin * c.K * Lout / 1e9;
  for (int threads : {1, 2}) {
    keel_set_num_threads(threads);
    for (keel_isa isa : {KEEL_ISA_AVX2, KEEL_ISA_AVX512}) {
      if (!keel_isa_supported(isa)) continue;
      const keel_kernels* k = keel_kernels_for(isa);
      const double f = median_ms([&] { k->conv1d_forward(y.data(), x.data(), w.data(), nullptr, &p); }, 30);
      const double bd = median_ms([&] { k->conv1d_backward_data(dx.data(), dy.data(), w.data(), &p); }, 30);
      const double bw = median_ms([&] { k->conv1d_backward_weight(dw.data(), x.data(), dy.data(), &p); }, 30);
      printf("%-7s t=%d  fwd %.3f ms (%.1f GFLOP/s)  bwd-data %.3f ms (%.1f)  bwd-weight %.3f ms (%.1f)  sum %.3f ms\n",
             keel_isa_name(isa), threads, f, gflop / f * 1e3, bd, gflop / bd * 1e3, bw, gflop / bw * 1e3, f + bd + bw);
    }
  }
}

int main(int argc, char** argv) {
  if (argc > 1 && !strcmp(argv[1], "--bench")) {
    bench(argc, argv);
    return 0;
  }
  test_parity();
  test_guard_pages();
  test_threads();
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("conv1d tests passed\n");
  return 0;
}
