// C++ tests of the fused BatchNorm1d -> ReLU -> Dropout kernels through the C ABI, for every CPU
// level this machine supports: every level against the scalar port (which the JS parity tests tie to
// the reference) over tail shapes, training and eval, p = 0, 0.15, 1; dropout masks against
// philox_draw; the unfused kernels' composition; bitwise determinism across thread counts.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "../src/dropout/philox.h"
#include "keel.h"
#include "check.h"


static void check_close(const char* what, const std::vector<float>& got, const std::vector<float>& want, float atol,
                        float rtol) {
  for (size_t i = 0; i < want.size(); i++) {
    const bool same_nan = isnan(got[i]) && isnan(want[i]);
    if (!same_nan && !(fabsf(got[i] - want[i]) <= atol + rtol * fabsf(want[i]))) {
      failures++;
      fprintf(stderr, "FAIL [%s] %s[%zu]: expected %.9g, got %.9g\n", context.c_str(), what, i, want[i], got[i]);
      return;
    }
  }
}

static std::vector<float> randoms(size_t n, unsigned seed, float scale = 1.0f, float shift = 0.0f) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g) * scale + shift;
  return v;
}

struct Result {
  std::vector<float> y, mean, invstd, rm, rv, dx, dw, db;
};

static Result run(const keel_kernels* k, int64_t N, int64_t C, int64_t L, bool training, double p, uint64_t offset) {
  const size_t nx = (size_t)(N * C * L);
  const std::vector<float> x = randoms(nx, 1, 2.0f, 0.5f), dy = randoms(nx, 2), w = randoms(C, 3), b = randoms(C, 4, 0.5f);
  Result r;
  r.y.assign(nx, NAN), r.mean.assign(C, NAN), r.invstd.assign(C, NAN);
  r.rm = randoms(C, 5, 0.2f), r.rv = randoms(C, 6, 0.5f, 1.0f);
  keel_bn_relu_dropout_params prm{N, C, L, 1e-5, 0.1, training ? 1 : 0, p, 0x123456789ull, 42, offset};
  k->bn_relu_dropout_forward(r.y.data(), r.mean.data(), r.invstd.data(), r.rm.data(), r.rv.data(), x.data(), w.data(),
                             b.data(), &prm);
  r.dx.assign(nx, NAN), r.dw.assign(C, NAN), r.db.assign(C, NAN);
  k->bn_relu_dropout_backward(r.dx.data(), r.dw.data(), r.db.data(), dy.data(), x.data(), r.mean.data(),
                              r.invstd.data(), w.data(), b.data(), &prm);
  return r;
}

static void test_levels_against_scalar() {
  const keel_kernels* scalar = keel_kernels_for(KEEL_ISA_SCALAR);
  const keel_isa isas[] = {KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON};
  // (N, C) shapes (L = 1) run across channels: channel tails of 4/8/16-lane groups, several
  // 64-channel blocks, rows of draws that start at every Philox alignment.
  const int64_t shapes[][3] = {{2, 3, 1}, {2, 3, 7}, {2, 3, 8}, {2, 3, 15}, {2, 3, 16}, {2, 3, 17},
                               {3, 2, 33}, {5, 7, 30}, {1, 2, 100}, {2, 2, 2100}, {8, 4, 65},
                               {5, 1, 1}, {3, 5, 1}, {4, 9, 1}, {6, 17, 1}, {7, 33, 1}, {9, 130, 1},
                               {0, 5, 1}, {0, 3, 7}};  // empty batches: eval only (training needs N*L > 1)
  for (keel_isa isa : isas) {
    const keel_kernels* k = keel_kernels_for(isa);
    if (!k) continue;
    for (const auto& s : shapes)
      for (int training = 0; training < 2; training++)
        for (double p : {0.0, 0.15, 1.0}) {
          if (training && s[0] * s[2] <= 1) continue;
          char buf[160];
          snprintf(buf, sizeof buf, "%s (%lld,%lld,%lld) %s p=%g", keel_isa_name(isa), (long long)s[0], (long long)s[1],
                   (long long)s[2], training ? "train" : "eval", p);
          context = buf;
          const Result want = run(scalar, s[0], s[1], s[2], training, p, 5);
          const Result got = run(k, s[0], s[1], s[2], training, p, 5);
          check_close("mean", got.mean, want.mean, 0, 0);
          check_close("invstd", got.invstd, want.invstd, 0, 1e-7f);
          check_close("running_mean", got.rm, want.rm, 0, 1e-7f);
          check_close("running_var", got.rv, want.rv, 0, 1e-7f);
          check_close("y", got.y, want.y, 1e-6f, 1e-6f);
          check_close("dx", got.dx, want.dx, 1e-6f, 1e-6f);
          check_close("dweight", got.dw, want.dw, 1e-6f, 1e-6f);
          check_close("dbias", got.db, want.db, 1e-6f, 1e-6f);
        }
  }
}

// With bias 10 every normalised value is positive: y != 0 exactly where draw offset+i is kept.
static void test_masks() {
  const int64_t N = 3, C = 4, L = 37;
  const size_t nx = N * C * L;
  const std::vector<float> x = randoms(nx, 9), w = randoms(C, 10), b(C, 10.0f), dy(nx, 1.0f);
  for (keel_isa isa : {KEEL_ISA_SCALAR, KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON}) {
    const keel_kernels* k = keel_kernels_for(isa);
    if (!k) continue;
    context = std::string("masks ") + keel_isa_name(isa);
    const double p = 0.3;
    const uint64_t offset = 11, threshold = keel::dropout_threshold(p);
    keel_bn_relu_dropout_params prm{N, C, L, 1e-5, 0.1, 1, p, 77, 5, offset};
    std::vector<float> y(nx), m(C), s(C), dx(nx);
    k->bn_relu_dropout_forward(y.data(), m.data(), s.data(), nullptr, nullptr, x.data(), w.data(), b.data(), &prm);
    k->bn_relu_dropout_backward(dx.data(), nullptr, nullptr, dy.data(), x.data(), m.data(), s.data(), w.data(), b.data(),
                                &(prm.training = 0, prm));
    int bad = 0;
    for (size_t i = 0; i < nx; i++) {
      const bool keep = keel::philox_draw(77, 5, offset + i) >= threshold;
      if ((y[i] != 0.0f) != keep || (dx[i] != 0.0f) != keep) bad++;
    }
    CHECK(bad == 0);
  }
}

// The scalar fused kernels against batchnorm1d -> relu -> dropout: masks equal, values within 1e-6.
static void test_against_unfused() {
  const keel_kernels* k = keel_kernels_for(KEEL_ISA_SCALAR);
  const int64_t N = 4, C = 3, L = 29;
  const size_t nx = N * C * L;
  const std::vector<float> x = randoms(nx, 12), w = randoms(C, 13), b = randoms(C, 14, 0.3f);
  context = "fused vs unfused (scalar)";
  keel_batchnorm1d_params bp{N, C, L, 1e-5, 0.1};
  std::vector<float> bn(nx), r(nx), want(nx), m(C), s(C);
  k->batchnorm1d_train_forward(bn.data(), m.data(), s.data(), nullptr, nullptr, x.data(), w.data(), b.data(), &bp);
  keel_eltwise_params ep{(int64_t)nx};
  k->relu_forward(r.data(), bn.data(), &ep);
  keel_dropout_params dp{(int64_t)nx, 1, 0.15, 3, 4, 0};
  k->dropout_forward(want.data(), r.data(), &dp);
  keel_bn_relu_dropout_params prm{N, C, L, 1e-5, 0.1, 1, 0.15, 3, 4, 0};
  std::vector<float> y(nx), fm(C), fs(C);
  k->bn_relu_dropout_forward(y.data(), fm.data(), fs.data(), nullptr, nullptr, x.data(), w.data(), b.data(), &prm);
  check_close("y", y, want, 1e-6f, 1e-6f);
  check_close("mean", fm, m, 0, 0);
  check_close("invstd", fs, s, 0, 0);
}

static void test_thread_determinism() {
  for (keel_isa isa : {KEEL_ISA_SCALAR, KEEL_ISA_AVX2, KEEL_ISA_AVX512, KEEL_ISA_NEON}) {
    const keel_kernels* k = keel_kernels_for(isa);
    if (!k) continue;
    context = std::string("threads ") + keel_isa_name(isa);
    const int before = keel_num_threads();
    // long rows (one channel at a time) and short rows (channel blocks that start where tasks start)
    const int64_t shapes[][3] = {{64, 24, 1030}, {256, 64, 30}};
    for (const auto& s : shapes) {
      keel_set_num_threads(1);
      const Result want = run(k, s[0], s[1], s[2], true, 0.15, 3);
      for (int t = 2; t <= 4; t++) {
        keel_set_num_threads(t);
        const Result got = run(k, s[0], s[1], s[2], true, 0.15, 3);
        CHECK(memcmp(got.y.data(), want.y.data(), want.y.size() * 4) == 0);
        CHECK(memcmp(got.dx.data(), want.dx.data(), want.dx.size() * 4) == 0);
        CHECK(memcmp(got.dw.data(), want.dw.data(), want.dw.size() * 4) == 0);
        CHECK(memcmp(got.rv.data(), want.rv.data(), want.rv.size() * 4) == 0);
      }
    }
    keel_set_num_threads(before);
  }
}

int main() {
  test_levels_against_scalar();
  test_masks();
  test_against_unfused();
  test_thread_determinism();
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("fused_tests: all passed\n");
  return 0;
}
