// C++ tests of the convolution epilogue kernels (conv1d_forward_stats, conv1d_relu_forward) and of
// bn_relu_dropout_forward_with_stats through the C ABI, on every CPU level this machine supports:
// y bitwise conv1d_forward's (resp. its ReLU), the statistics against double two-pass statistics of
// that y, bitwise determinism across 1..4 threads, and the tail given statistics against the tail
// taking its own.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "keel.h"
#include "check.h"


template <typename T>
static bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

static std::vector<float> randoms(size_t n, unsigned seed, float scale = 1.0f, float shift = 0.0f) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g) * scale + shift;
  return v;
}

struct Shape {
  int64_t N, Cin, Cout, L, K, stride, pad, dil, G;
  float shift;  // bias value: mean 1e3 with a small spread tests the statistics' conditioning
};

struct StatsOut {
  std::vector<float> y;
  std::vector<double> mean, var;
};

static keel_conv1d_params params(const Shape& s) {
  return keel_conv1d_params{s.N, s.Cin, s.L, s.Cout, s.K, s.stride, s.pad, s.pad, s.dil, s.G};
}

static StatsOut run_stats(const keel_kernels* k, const Shape& s) {
  const keel_conv1d_params p = params(s);
  const int64_t Lout = keel_conv1d_out_length(&p);
  const std::vector<float> x = randoms((size_t)(s.N * s.Cin * s.L), 1), w = randoms((size_t)(s.Cout * (s.Cin / s.G) * s.K), 2, s.shift ? 0.01f : 1.0f);
  const std::vector<float> b = randoms((size_t)s.Cout, 3, 0.5f, s.shift);
  StatsOut o;
  o.y.assign((size_t)(s.N * s.Cout * Lout), NAN), o.mean.assign((size_t)s.Cout, NAN), o.var.assign((size_t)s.Cout, NAN);
  k->conv1d_forward_stats(o.y.data(), o.mean.data(), o.var.data(), x.data(), w.data(), b.data(), &p);
  return o;
}

static std::vector<float> run_conv(const keel_kernels* k, const Shape& s, bool relu) {
  const keel_conv1d_params p = params(s);
  const int64_t Lout = keel_conv1d_out_length(&p);
  const std::vector<float> x = randoms((size_t)(s.N * s.Cin * s.L), 1), w = randoms((size_t)(s.Cout * (s.Cin / s.G) * s.K), 2, s.shift ? 0.01f : 1.0f);
  const std::vector<float> b = randoms((size_t)s.Cout, 3, 0.5f, s.shift);
  std::vector<float> y((size_t)(s.N * s.Cout * Lout), NAN);
  (relu ? k->conv1d_relu_forward : k->conv1d_forward)(y.data(), x.data(), w.data(), b.data(), &p);
  return y;
}

static void check_stats(const Shape& s, const StatsOut& o) {
  const keel_conv1d_params p = params(s);
  const int64_t T = keel_conv1d_out_length(&p), M = s.N * T;
  double ymax = 0.0;
  for (float v : o.y)
    if (fabs((double)v) > ymax) ymax = fabs((double)v);  // (not fmax: GCC 12 aarch64 ICEs vectorising it)
  for (int64_t c = 0; c < s.Cout; c++) {
    double sum = 0.0, sq = 0.0;
    for (int64_t n = 0; n < s.N; n++)
      for (int64_t t = 0; t < T; t++) sum += (double)o.y[(size_t)((n * s.Cout + c) * T + t)];
    const double mean = M ? sum / (double)M : 0.0;
    for (int64_t n = 0; n < s.N; n++)
      for (int64_t t = 0; t < T; t++) {
        const double d = (double)o.y[(size_t)((n * s.Cout + c) * T + t)] - mean;
        sq += d * d;
      }
    const double var = M ? sq / (double)M : 0.0;
    // Tolerances of test/conv1d-epilogue.parity.test.ts (float lanes of at most 64 values).
    CHECK(fabs(o.mean[(size_t)c] - mean) <= 1e-5 * ymax);
    CHECK(fabs(o.var[(size_t)c] - var) <= 1e-5 * var + 1e-7 * ymax * ymax);
  }
}

int main() {
  const std::vector<Shape> shapes = {
      {3, 3, 5, 1, 3, 1, 1, 1, 1, 0},      {3, 3, 5, 7, 3, 1, 1, 1, 1, 0},    {3, 3, 5, 17, 3, 1, 1, 1, 1, 0},
      {256, 14, 64, 30, 3, 1, 1, 1, 1, 0}, {9, 13, 37, 30, 3, 1, 1, 1, 1, 0}, {2, 6, 4, 23, 4, 1, 1, 1, 2, 0},
      {3, 7, 11, 31, 5, 2, 2, 1, 1, 0},    {2, 4, 6, 29, 3, 3, 0, 2, 1, 0},   {2, 3, 4, 2100, 3, 1, 1, 1, 1, 0},
      {4, 3, 5, 33, 3, 1, 1, 1, 1, 1000},  {1, 2, 3, 9, 40, 1, 20, 1, 1, 0},  {0, 2, 2, 5, 3, 1, 0, 1, 1, 0},
      {20, 8, 9, 65, 3, 1, 1, 1, 1, 0},
  };
  for (int i = 0; i <= KEEL_ISA_NEON; i++) {
    const keel_kernels* k = keel_kernels_for((keel_isa)i);
    if (!k) continue;
    for (const Shape& s : shapes) {
      context = std::string(keel_isa_name(k->isa)) + " (" + std::to_string(s.N) + "," + std::to_string(s.Cin) + "->" +
                std::to_string(s.Cout) + "," + std::to_string(s.L) + ") k" + std::to_string(s.K) + " g" + std::to_string(s.G);
      keel_set_num_threads(1);
      const StatsOut one = run_stats(k, s);
      CHECK(same_bits(one.y, run_conv(k, s, false)));  // y is conv1d_forward's, bit for bit
      check_stats(s, one);
      std::vector<float> relu = run_conv(k, s, false);
      for (float& v : relu) v = v < 0.0f ? 0.0f : v;
      CHECK(same_bits(run_conv(k, s, true), relu));
      for (int threads = 2; threads <= 4; threads++) {
        keel_set_num_threads(threads);
        const StatsOut t = run_stats(k, s);
        CHECK(same_bits(t.y, one.y) && same_bits(t.mean, one.mean) && same_bits(t.var, one.var));
        CHECK(same_bits(run_conv(k, s, true), relu));
      }
    }
    // The tail given statistics: its own double statistics in, the same y, saved statistics and
    // running statistics out as the tail taking them (within one float rounding of the statistics
    // on a tie of the summation order), and bitwise equal across levels given equal statistics.
    const int64_t N = 5, C = 7, L = 30, nx = N * C * L;
    const std::vector<float> x = randoms((size_t)nx, 9, 1.5f, 0.4f), w = randoms((size_t)C, 10, 0.5f, 1.0f), b = randoms((size_t)C, 11, 0.3f);
    std::vector<double> bm((size_t)C), bv((size_t)C);
    for (int64_t c = 0; c < C; c++) {
      double s = 0.0, q = 0.0;
      for (int64_t n = 0; n < N; n++)
        for (int64_t l = 0; l < L; l++) s += (double)x[(size_t)((n * C + c) * L + l)];
      bm[(size_t)c] = s / (double)(N * L);
      for (int64_t n = 0; n < N; n++)
        for (int64_t l = 0; l < L; l++) {
          const double d = (double)x[(size_t)((n * C + c) * L + l)] - bm[(size_t)c];
          q += d * d;
        }
      bv[(size_t)c] = q / (double)(N * L);
    }
    const keel_bn_relu_dropout_params prm{N, C, L, 1e-5, 0.1, 1, 0.3, 0x1234567ull, 7, 3};
    std::vector<float> y1((size_t)nx), y2((size_t)nx), sm1((size_t)C), sm2((size_t)C), si1((size_t)C), si2((size_t)C);
    std::vector<float> rm1((size_t)C, 0.25f), rm2((size_t)C, 0.25f), rv1((size_t)C, 2.0f), rv2((size_t)C, 2.0f);
    keel_set_num_threads(2);
    k->bn_relu_dropout_forward(y1.data(), sm1.data(), si1.data(), rm1.data(), rv1.data(), x.data(), w.data(), b.data(), &prm);
    k->bn_relu_dropout_forward_with_stats(y2.data(), sm2.data(), si2.data(), rm2.data(), rv2.data(), x.data(), bm.data(),
                                          bv.data(), w.data(), b.data(), &prm);
    context = std::string(keel_isa_name(k->isa)) + " bn_relu_dropout_forward_with_stats";
    for (size_t i2 = 0; i2 < y1.size(); i2++) CHECK(fabsf(y1[i2] - y2[i2]) <= 1e-6f + 1e-6f * fabsf(y1[i2]));
    for (int64_t c = 0; c < C; c++) {
      CHECK(fabsf(sm1[(size_t)c] - sm2[(size_t)c]) <= 1e-6f);
      CHECK(fabsf(si1[(size_t)c] - si2[(size_t)c]) <= 1e-6f * si1[(size_t)c]);
      CHECK(fabsf(rv1[(size_t)c] - rv2[(size_t)c]) <= 1e-6f * rv1[(size_t)c]);
    }
    const keel_kernels* scalar = keel_kernels_for(KEEL_ISA_SCALAR);
    std::vector<float> y3((size_t)nx), sm3((size_t)C), si3((size_t)C), rm3((size_t)C, 0.25f), rv3((size_t)C, 2.0f);
    scalar->bn_relu_dropout_forward_with_stats(y3.data(), sm3.data(), si3.data(), rm3.data(), rv3.data(), x.data(), bm.data(),
                                               bv.data(), w.data(), b.data(), &prm);
    CHECK(same_bits(y2, y3) && same_bits(sm2, sm3) && same_bits(si2, si3) && same_bits(rm2, rm3) && same_bits(rv2, rv3));
  }
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("conv1d epilogue tests passed\n");
  return 0;
}
