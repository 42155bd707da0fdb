// C++ tests of the kernels through the C ABI, for every CPU level this machine supports: known
// answers (Philox, small hand-computed convolutions and GEMMs), BatchNorm accuracy where float sums
// fail, dropout keep rates and edge cases, the batch gather. The JS parity tests (test/) compare every kernel with the
// reference over case tables; these run without Node, under sanitizers and under qemu.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "../src/dropout/philox.h"
#include "keel.h"
#include "check.h"


static void check_close(const char* what, const float* got, const float* want, size_t n, float atol, float rtol) {
  for (size_t i = 0; i < n; i++) {
    if (!(fabsf(got[i] - want[i]) <= atol + rtol * fabsf(want[i]))) {
      failures++;
      fprintf(stderr, "FAIL [%s] %s[%zu]: expected %.9g, got %.9g\n", context.c_str(), what, i, want[i], got[i]);
      return;
    }
  }
}

static void test_philox_known_answers() {
  context = "philox";
  struct Kat {
    uint32_t ctr[4], key[2], out[4];
  } kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Kat& k : kats) {
    const keel::Philox4x32 r = keel::philox4x32_10(k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3], k.key[0], k.key[1]);
    for (int i = 0; i < 4; i++) CHECK(r.v[i] == k.out[i]);
  }
  // Draw d uses word d mod 4 of block floor(d / 4): draws 4..7 are block 1.
  const keel::Philox4x32 b1 = keel::philox4x32_10(1, 0, 7, 0, 5, 0);
  for (int i = 0; i < 4; i++) CHECK(keel::philox_draw(5, 7, 4 + i) == b1.v[i]);
  CHECK(keel::dropout_threshold(0.0) == 0);
  CHECK(keel::dropout_threshold(1.0) == (1ull << 32));
  CHECK(keel::dropout_threshold(0.5) == (1ull << 31));
}

static void test_isa() {
  context = "isa";
  CHECK(keel_isa_supported(KEEL_ISA_SCALAR));
  CHECK(keel_isa_supported(keel_isa_detect()));
  for (int i = 0; i < 4; i++) {
    keel_isa parsed;
    CHECK(keel_isa_parse(keel_isa_name((keel_isa)i), &parsed) == 0 && parsed == (keel_isa)i);
    CHECK((keel_kernels_for((keel_isa)i) != nullptr) == (keel_isa_supported((keel_isa)i) != 0));
  }
  keel_isa ignored;
  CHECK(keel_isa_parse("sse9", &ignored) != 0);
}

static void test_conv1d(const keel_kernels* k) {
  // x = [1 2 3 4], w = [1 0 -1], padding 1: y[t] = x[t-1] - x[t+1] = [-2 -2 -2 3]; + bias 0.5.
  keel_conv1d_params p = {1, 1, 4, 1, 3, 1, 1, 1, 1, 1};
  CHECK(keel_conv1d_out_length(&p) == 4);
  const float x[] = {1, 2, 3, 4}, w[] = {1, 0, -1}, b[] = {0.5f};
  float y[4];
  k->conv1d_forward(y, x, w, b, &p);
  const float want[] = {-1.5f, -1.5f, -1.5f, 3.5f};
  check_close("conv1d y", y, want, 4, 0, 0);
  // Backward data is the transpose: dx[u] = sum_t dy[t] w[u - t + 1].
  const float dy[] = {1, 0, 0, 0};
  float dx[4];
  k->conv1d_backward_data(dx, dy, w, &p);
  const float want_dx[] = {0, -1, 0, 0};
  check_close("conv1d dx", dx, want_dx, 4, 0, 0);
  float dw[3], db[1];
  const float ones[] = {1, 1, 1, 1};
  k->conv1d_backward_weight(dw, x, ones, &p);
  const float want_dw[] = {6, 10, 9};  // sums of x over the windows at offsets -1, 0, +1
  check_close("conv1d dw", dw, want_dw, 3, 0, 0);
  k->conv1d_backward_bias(db, ones, &p);
  CHECK(db[0] == 4);
  // Stride 2, dilation 2, K = 2, no padding, L = 7: L_out = floor((7 - 2 - 1) / 2) + 1 = 3.
  keel_conv1d_params q = {1, 1, 7, 1, 2, 2, 0, 0, 2, 1};
  CHECK(keel_conv1d_out_length(&q) == 3);
  const float x7[] = {1, 2, 3, 4, 5, 6, 7}, w2[] = {1, 10};
  float y2[3];
  k->conv1d_forward(y2, x7, w2, nullptr, &q);
  const float want2[] = {1 + 30, 3 + 50, 5 + 70};
  check_close("conv1d strided y", y2, want2, 3, 0, 0);
}

static void test_batchnorm_accuracy(const keel_kernels* k) {
  // Mean 1e3, std 0.1: E[x^2] - E[x]^2 in float32 would be wrong by orders of magnitude.
  const int64_t N = 4096;
  std::vector<float> x(N), y(N);
  std::mt19937 gen(1);
  std::normal_distribution<double> dist(1000.0, 0.1);
  double sum = 0, sq = 0;
  for (auto& v : x) { v = (float)dist(gen); sum += v; }
  const double mean = sum / N;
  for (float v : x) sq += (v - mean) * (v - mean);
  const double var = sq / N;
  float save_mean, save_invstd, rm = 0, rv = 1;
  keel_batchnorm1d_params p = {N, 1, 1, 1e-5, 0.1};
  k->batchnorm1d_train_forward(y.data(), &save_mean, &save_invstd, &rm, &rv, x.data(), nullptr, nullptr, &p);
  CHECK(fabs(save_mean - mean) <= 1e-4);
  CHECK(fabs(save_invstd - 1.0 / sqrt(var + 1e-5)) <= 1e-4 / sqrt(var));
  CHECK(fabs(rv - (0.9 + 0.1 * var * N / (N - 1))) <= 1e-6);
  CHECK(fabs(rm - 0.1 * mean) <= 1e-3);

  // Past 2^24 values per channel a float running sum stalls; the mean must stay exact.
  const int64_t big = (1 << 24) + 4097;
  std::vector<float> xb(big, 1.0f), yb(big);
  for (int64_t i = 0; i < big; i += 2) xb[i] = 3.0f;  // mean 2 (+ a tiny bit for the odd count)
  keel_batchnorm1d_params pb = {1, 1, big, 1e-5, 0.1};
  k->batchnorm1d_train_forward(yb.data(), &save_mean, &save_invstd, nullptr, nullptr, xb.data(), nullptr, nullptr, &pb);
  const double want_mean = (3.0 * ((big + 1) / 2) + 1.0 * (big / 2)) / big;
  CHECK(fabs(save_mean - want_mean) <= 1e-6);
  CHECK(fabs(save_invstd - 1.0) <= 1e-5);
}

static void test_batchnorm_backward(const keel_kernels* k) {
  // Batch-statistics backward with eps = 0: sum(dx) = 0 and sum(dx * xhat) = 0 per channel for any dy.
  const int64_t N = 5, C = 2, L = 3;
  std::vector<float> x(N * C * L), dy(N * C * L), y(N * C * L), dx(N * C * L);
  std::mt19937 gen(2);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto& v : x) v = u(gen);
  for (auto& v : dy) v = u(gen);
  float mean[2], invstd[2], w[2] = {1.5f, -0.5f}, b[2] = {0.1f, 0.2f}, dw[2], db[2];
  keel_batchnorm1d_params p = {N, C, L, 0.0, 0.1};
  k->batchnorm1d_train_forward(y.data(), mean, invstd, nullptr, nullptr, x.data(), w, b, &p);
  keel_batchnorm1d_backward_params bp = {N, C, L, 1};
  k->batchnorm1d_backward(dx.data(), dw, db, dy.data(), x.data(), mean, invstd, w, &bp);
  for (int64_t c = 0; c < C; c++) {
    double s = 0, sx = 0;
    for (int64_t n = 0; n < N; n++)
      for (int64_t l = 0; l < L; l++) {
        const int64_t i = (n * C + c) * L + l;
        s += dx[i];
        sx += dx[i] * (x[i] - mean[c]) * invstd[c];
      }
    CHECK(fabs(s) < 1e-5 && fabs(sx) < 1e-4);
  }
}

static void test_batchnorm_alignment(const keel_kernels* k) {
  // The SIMD variants cut rows at cache-line boundaries of their pointers (aligned stores, whole-line
  // loads): the results must still depend on the shape only. The same data at every float offset
  // within a 64-byte line gives the same bits; the rows (L = 45) start at varying offsets too.
  const int64_t N = 3, C = 5, L = 45, n = N * C * L;
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> x0(n), dy0(n);
  for (auto& v : x0) v = 2.0f + u(gen);
  for (auto& v : dy0) v = u(gen);
  const float w[C] = {1.5f, -0.5f, 1.0f, 2.0f, 0.25f}, b[C] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
  std::vector<float> want;
  for (int64_t off = 0; off < 16; off++) {
    std::vector<float> buf(6 * (n + 16));
    float *x = buf.data() + off, *dy = x + n + 16, *y = dy + n + 16, *dx = y + n + 16, *ye = dx + n + 16,
          *dxe = ye + n + 16;
    memcpy(x, x0.data(), n * sizeof(float));
    memcpy(dy, dy0.data(), n * sizeof(float));
    float mean[C], invstd[C], rm[C] = {}, rv[C] = {1, 1, 1, 1, 1}, dw[C], db[C];
    keel_batchnorm1d_params p = {N, C, L, 1e-5, 0.1};
    k->batchnorm1d_train_forward(y, mean, invstd, rm, rv, x, w, b, &p);
    k->batchnorm1d_eval_forward(ye, x, rm, rv, w, b, &p);
    keel_batchnorm1d_backward_params bp = {N, C, L, 1};
    k->batchnorm1d_backward(dx, dw, db, dy, x, mean, invstd, w, &bp);
    bp.training = 0;
    k->batchnorm1d_backward(dxe, nullptr, nullptr, dy, x, rm, rv, w, &bp);
    std::vector<float> got(y, y + n);
    got.insert(got.end(), ye, ye + n);
    got.insert(got.end(), dx, dx + n);
    got.insert(got.end(), dxe, dxe + n);
    for (float* v : {mean, invstd, rm, rv, dw, db}) got.insert(got.end(), v, v + C);
    if (off == 0) want = got;
    CHECK(memcmp(got.data(), want.data(), want.size() * sizeof(float)) == 0);
  }
}

static void test_dropout(const keel_kernels* k) {
  const int64_t n = 1 << 20;
  std::vector<uint8_t> mask(n);
  std::vector<float> x(n, 1.0f), y(n);
  for (double p : {0.15, 0.5, 0.9}) {
    keel_dropout_params dp = {n, 1, p, 42, 3, 0};
    k->dropout_mask(mask.data(), &dp);
    k->dropout_forward(y.data(), x.data(), &dp);
    int64_t kept = 0;
    bool consistent = true;
    for (int64_t i = 0; i < n; i++) {
      kept += mask[i];
      consistent &= mask[i] ? y[i] == (float)(1.0 / (1.0 - p)) : y[i] == 0.0f;
    }
    CHECK(consistent);
    // Binomial: |kept - n(1-p)| within 6 standard deviations.
    CHECK(fabs(kept - n * (1 - p)) <= 6 * sqrt(n * p * (1 - p)));
    // Any split of the stream gives the same mask: draws [1000, n) from offset 1000.
    keel_dropout_params tail = {n - 1000, 1, p, 42, 3, 1000};
    std::vector<uint8_t> mask_tail(n - 1000);
    k->dropout_mask(mask_tail.data(), &tail);
    CHECK(memcmp(mask_tail.data(), mask.data() + 1000, n - 1000) == 0);
  }
  keel_dropout_params zero = {n, 1, 0.0, 1, 0, 0}, one = {n, 1, 1.0, 1, 0, 0};
  x[7] = NAN;
  k->dropout_forward(y.data(), x.data(), &zero);
  CHECK(memcmp(y.data(), x.data(), n * sizeof(float)) == 0 || (isnan(y[7]) && y[0] == x[0]));
  k->dropout_forward(y.data(), x.data(), &one);
  bool zeros = true;
  for (float v : y) zeros &= v == 0.0f;
  CHECK(zeros);
}

static void test_linear_relu(const keel_kernels* k) {
  // x (2, 3), W (2, 3): y = x W^T + b.
  const float x[] = {1, 2, 3, 4, 5, 6}, w[] = {1, 0, -1, 0.5f, 0.5f, 0.5f}, b[] = {1, -1};
  keel_linear_params p = {2, 3, 2};
  float y[4];
  k->linear_forward(y, x, w, b, &p);
  const float want[] = {-1, 2, -1, 6.5f};
  check_close("linear y", y, want, 4, 0, 0);
  const float dy[] = {1, 0, 0, 1};
  float dx[6], dw[6], db[2];
  k->linear_backward_data(dx, dy, w, &p);
  const float want_dx[] = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  check_close("linear dx", dx, want_dx, 6, 0, 0);
  k->linear_backward_weight(dw, x, dy, &p);
  check_close("linear dw", dw, x, 6, 0, 0);
  k->linear_backward_bias(db, dy, &p);
  CHECK(db[0] == 1 && db[1] == 1);

  const float r[] = {-1, 0, 2, NAN};
  float ry[4], rdx[4];
  keel_eltwise_params e = {4};
  k->relu_forward(ry, r, &e);
  CHECK(ry[0] == 0 && ry[1] == 0 && ry[2] == 2 && isnan(ry[3]));
  const float g[] = {5, 5, 5, 5};
  k->relu_backward(rdx, g, ry, &e);
  CHECK(rdx[0] == 0 && rdx[1] == 0 && rdx[2] == 5 && rdx[3] == 0);
}

// gather_rows: a shuffled batch with a run of consecutive rows and a repeat, at 1 and 2 threads.
static void test_gather(const keel_kernels* k) {
  const int64_t S = 40, D = 5000;  // rows of 20 KB: several 64 KB tasks for 2 threads
  std::vector<float> src((size_t)(S * D));
  for (size_t i = 0; i < src.size(); i++) src[i] = (float)i;
  const int32_t idx[] = {7, 39, 0, 1, 2, 3, 7, 20, 19};
  const int64_t R = sizeof idx / sizeof idx[0];
  keel_gather_params p = {R, D, S};
  const int before = keel_num_threads();
  for (int t = 1; t <= 2; t++) {
    keel_set_num_threads(t);
    std::vector<float> out((size_t)(R * D) + 1, -1.0f);
    k->gather_rows(out.data(), src.data(), idx, &p);
    for (int64_t r = 0; r < R; r++) CHECK(memcmp(&out[(size_t)(r * D)], &src[(size_t)(idx[r] * D)], (size_t)D * 4) == 0);
    CHECK(out[(size_t)(R * D)] == -1.0f);
  }
  keel_set_num_threads(before);
}

int main() {
  test_philox_known_answers();
  test_isa();
  int levels = 0;
  for (int i = 0; i < 4; i++) {
    const keel_kernels* k = keel_kernels_for((keel_isa)i);
    if (!k) continue;
    levels++;
    const std::string isa = keel_isa_name((keel_isa)i);
    context = isa + " conv1d";
    test_conv1d(k);
    context = isa + " batchnorm accuracy";
    test_batchnorm_accuracy(k);
    context = isa + " batchnorm backward";
    test_batchnorm_backward(k);
    context = isa + " batchnorm alignment";
    test_batchnorm_alignment(k);
    context = isa + " dropout";
    test_dropout(k);
    context = isa + " linear/relu";
    test_linear_relu(k);
    context = isa + " gather";
    test_gather(k);
  }
  printf("keel kernel tests: %d CPU level(s), %d failure(s)\n", levels, failures);
  return failures == 0 ? 0 : 1;
}
