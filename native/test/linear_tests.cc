// C++ tests of the linear kernels at every CPU level this machine supports, through the C ABI:
//  - exact: small-integer inputs make every sum exact in float32, so each SIMD variant must equal
//    the scalar (double) variant bit for bit, over shapes that hit every row/column/K tail;
//  - close: random inputs on larger shapes, within the tolerances of test/tolerances.ts;
//  - bounds: outputs live at odd offsets between guard values that must survive;
//  - determinism: identical bits for 1, 2, 3 and 4 threads;
//  - linear_forward_stats: y bitwise linear_forward's, mean/var bitwise the double two-pass statistics
//    of that y (the numbers BatchNorm computes), the same for 1..4 threads, guards intact.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "keel.h"
#include "check.h"
#include "test_levels.h"


static const float kGuard = 12345.5f;

// A float array at an odd offset inside a larger buffer with guard values on both sides.
struct Guarded {
  std::vector<float> buf;
  size_t off, n;
  Guarded(size_t n_, size_t off_ = 3) : buf(n_ + off_ + 5, kGuard), off(off_), n(n_) {}
  float* data() { return buf.data() + off; }
  bool intact() const {
    for (size_t i = 0; i < off; i++)
      if (buf[i] != kGuard) return false;
    for (size_t i = off + n; i < buf.size(); i++)
      if (buf[i] != kGuard) return false;
    return true;
  }
};

static void fill(float* p, size_t n, std::mt19937& g, bool integers, float scale = 1.0f) {
  std::uniform_int_distribution<int> di(-3, 3);
  std::uniform_real_distribution<float> df(-1.0f, 1.0f);
  for (size_t i = 0; i < n; i++) p[i] = integers ? (float)di(g) : df(g) * scale;
}

// First index where |got - want| > atol + rtol |want| (or NaN mismatch), or -1.
static long mismatch(const float* got, const float* want, size_t n, double atol, double rtol) {
  for (size_t i = 0; i < n; i++) {
    const double d = fabs((double)got[i] - (double)want[i]);
    if (!(d <= atol + rtol * fabs((double)want[i]))) return (long)i;
  }
  return -1;
}

struct Outputs {
  std::vector<float> y, dx, dw, db;
};

// Runs the four kernels of `k` on one shape; checks that no guard was overwritten.
static Outputs run(const keel_kernels* k, const keel_linear_params& p, const float* x, const float* w,
                   const float* b, const float* dy) {
  const size_t N = (size_t)p.batch, I = (size_t)p.in_features, O = (size_t)p.out_features;
  Guarded y(N * O, 1), dx(N * I, 3), dw(O * I, 5), db(O, 7);
  // NaN-filled outputs: an element a kernel forgets to write cannot pass.
  std::fill(y.data(), y.data() + y.n, NAN);
  std::fill(dx.data(), dx.data() + dx.n, NAN);
  std::fill(dw.data(), dw.data() + dw.n, NAN);
  std::fill(db.data(), db.data() + db.n, NAN);
  k->linear_forward(y.data(), x, w, b, &p);
  k->linear_backward_data(dx.data(), dy, w, &p);
  k->linear_backward_weight(dw.data(), x, dy, &p);
  k->linear_backward_bias(db.data(), dy, &p);
  CHECK(y.intact());
  CHECK(dx.intact());
  CHECK(dw.intact());
  CHECK(db.intact());
  Outputs o;
  o.y.assign(y.data(), y.data() + y.n);
  o.dx.assign(dx.data(), dx.data() + dx.n);
  o.dw.assign(dw.data(), dw.data() + dw.n);
  o.db.assign(db.data(), db.data() + db.n);
  return o;
}

static void compare(const char* what, const std::vector<float>& got, const std::vector<float>& want, double atol,
                    double rtol) {
  const long i = got.size() == want.size() ? mismatch(got.data(), want.data(), want.size(), atol, rtol) : 0;
  if (i >= 0) {
    failures++;
    fprintf(stderr, "FAIL [%s] %s[%ld]: expected %.9g, got %.9g\n", context.c_str(), what, i,
            i < (long)want.size() ? want[i] : 0.0f, i < (long)got.size() ? got[i] : 0.0f);
  }
}

struct Inputs {
  Guarded x, w, b, dy;
  Inputs(const keel_linear_params& p, std::mt19937& g, bool integers)
      : x((size_t)(p.batch * p.in_features), 1),
        w((size_t)(p.out_features * p.in_features), 3),
        b((size_t)p.out_features, 5),
        dy((size_t)(p.batch * p.out_features), 7) {
    const float ws = integers ? 1.0f : 1.0f / sqrtf((float)p.in_features);
    fill(x.data(), x.n, g, integers);
    fill(w.data(), w.n, g, integers, ws);
    fill(b.data(), b.n, g, integers, ws);
    fill(dy.data(), dy.n, g, integers);
  }
};

static void test_shapes(const keel_kernels* scalar, const keel_kernels* k, const std::string& isa) {
  std::mt19937 g(42);
  // Exact: integer data; every tail of 6/12-row tiles, 8/16-lane vectors, 16/32-column panels,
  // and K blocks of 256 (K = 255, 256, 257, 513).
  std::vector<keel_linear_params> exact;
  for (int64_t n = 1; n <= 26; n += 1) exact.push_back({n, 5 + n, 60 - n});
  // The dot-product form of the forward (out < 16 or batch < 12) with K tails.
  for (int64_t i : {1, 7, 16, 17, 255, 257}) exact.push_back({30, i, 15});
  for (int64_t o : {1, 2, 5, 16, 33}) exact.push_back({5, 257, o});
  for (int64_t o = 1; o <= 70; o += 3) exact.push_back({13, 9, o});
  for (int64_t i : {1, 2, 15, 16, 17, 255, 256, 257, 513}) exact.push_back({25, i, 33});
  for (int64_t n : {255, 256, 257, 600}) exact.push_back({n, 20, 48});  // dW reduces over the batch
  exact.push_back({0, 4, 3});
  exact.push_back({1, 1, 1});
  for (const keel_linear_params& p : exact) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s exact N=%lld I=%lld O=%lld", isa.c_str(), (long long)p.batch,
             (long long)p.in_features, (long long)p.out_features);
    context = buf;
    Inputs in(p, g, true);
    const Outputs want = run(scalar, p, in.x.data(), in.w.data(), in.b.data(), in.dy.data());
    const Outputs got = run(k, p, in.x.data(), in.w.data(), in.b.data(), in.dy.data());
    compare("y", got.y, want.y, 0, 0);
    compare("dx", got.dx, want.dx, 0, 0);
    compare("dw", got.dw, want.dw, 0, 0);
    compare("db", got.db, want.db, 0, 0);
    // No bias: y = x W^T only.
    std::vector<float> y0((size_t)(p.batch * p.out_features), NAN), y1 = y0;
    scalar->linear_forward(y0.data(), in.x.data(), in.w.data(), nullptr, &p);
    k->linear_forward(y1.data(), in.x.data(), in.w.data(), nullptr, &p);
    compare("y (no bias)", y1, y0, 0, 0);
  }
  // Close: random data at the sizes the models use (tolerances of test/tolerances.ts).
  const keel_linear_params close[] = {{256, 1920, 128}, {256, 128, 1}, {64, 784, 512}, {64, 512, 256},
                                      {64, 256, 10},    {1, 1920, 128}, {37, 1025, 77}};
  for (const keel_linear_params& p : close) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s close N=%lld I=%lld O=%lld", isa.c_str(), (long long)p.batch,
             (long long)p.in_features, (long long)p.out_features);
    context = buf;
    Inputs in(p, g, false);
    const Outputs want = run(scalar, p, in.x.data(), in.w.data(), in.b.data(), in.dy.data());
    const Outputs got = run(k, p, in.x.data(), in.w.data(), in.b.data(), in.dy.data());
    compare("y", got.y, want.y, 1e-5, 1e-5);
    compare("dx", got.dx, want.dx, 1e-5, 1e-5);
    compare("dw", got.dw, want.dw, 1e-4, 1e-5);
    compare("db", got.db, want.db, 1e-4, 1e-5);
  }
}

static void test_determinism(const keel_kernels* k, const std::string& isa) {
  std::mt19937 g(7);
  const keel_linear_params shapes[] = {{256, 1920, 128}, {300, 333, 50}, {1000, 130, 10}, {7, 2049, 700}};
  const int before = keel_num_threads();
  for (const keel_linear_params& p : shapes) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s determinism N=%lld I=%lld O=%lld", isa.c_str(), (long long)p.batch,
             (long long)p.in_features, (long long)p.out_features);
    context = buf;
    Inputs in(p, g, false);
    keel_set_num_threads(1);
    const Outputs want = run(k, p, in.x.data(), in.w.data(), in.b.data(), in.dy.data());
    for (int t : keel_test_threads({2, 3, 4})) {
      keel_set_num_threads(t);
      const Outputs got = run(k, p, in.x.data(), in.w.data(), in.b.data(), in.dy.data());
      CHECK(memcmp(got.y.data(), want.y.data(), want.y.size() * 4) == 0);
      CHECK(memcmp(got.dx.data(), want.dx.data(), want.dx.size() * 4) == 0);
      CHECK(memcmp(got.dw.data(), want.dw.data(), want.dw.size() * 4) == 0);
      CHECK(memcmp(got.db.data(), want.db.data(), want.db.size() * 4) == 0);
    }
  }
  keel_set_num_threads(before);
}

// Each column's mean and biased variance of y (N x O) as BatchNorm's two passes compute them.
static void two_pass(const std::vector<float>& y, int64_t N, int64_t O, std::vector<double>* mean, std::vector<double>* var) {
  mean->assign((size_t)O, 0.0), var->assign((size_t)O, 0.0);
  for (int64_t o = 0; o < O && N > 0; o++) {
    double s = 0.0, q = 0.0;
    for (int64_t n = 0; n < N; n++) s += (double)y[(size_t)(n * O + o)];
    const double m = s / (double)N;
    for (int64_t n = 0; n < N; n++) {
      const double d = (double)y[(size_t)(n * O + o)] - m;
      q += d * d;
    }
    (*mean)[(size_t)o] = m, (*var)[(size_t)o] = q / (double)N;
  }
}

static void test_forward_stats(const keel_kernels* k, const std::string& isa) {
  std::mt19937 g(11);
  // The dot-product form (few rows or outputs), whole-column GEMM tasks, row blocks (few panels),
  // column tails of 16/32-wide panels, an empty batch, the MLP's blocks.
  const keel_linear_params shapes[] = {{3, 9, 7},    {11, 40, 64},  {20, 37, 16},  {27, 37, 65},   {300, 17, 65},
                                       {129, 300, 200}, {128, 784, 512}, {128, 512, 256}, {0, 4, 20}, {1000, 130, 50}};
  const int before = keel_num_threads();
  for (const keel_linear_params& p : shapes) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s forward_stats N=%lld I=%lld O=%lld", isa.c_str(), (long long)p.batch,
             (long long)p.in_features, (long long)p.out_features);
    context = buf;
    const size_t N = (size_t)p.batch, O = (size_t)p.out_features;
    Inputs in(p, g, false);
    std::vector<float> plain(N * O, NAN);
    k->linear_forward(plain.data(), in.x.data(), in.w.data(), in.b.data(), &p);
    std::vector<double> want_mean, want_var;
    two_pass(plain, p.batch, p.out_features, &want_mean, &want_var);
    std::vector<float> first_y;
    for (int t : keel_test_threads({1, 2, 3, 4})) {
      keel_set_num_threads(t);
      Guarded y(N * O, 1);
      std::vector<double> mean(O + 2, NAN), var(O + 2, NAN);  // the last two must stay NaN
      for (size_t i = 0; i < N * O; i++) y.data()[i] = NAN;
      k->linear_forward_stats(y.data(), mean.data(), var.data(), in.x.data(), in.w.data(), in.b.data(), &p);
      CHECK(y.intact());
      CHECK(isnan(mean[O]) && isnan(mean[O + 1]) && isnan(var[O]) && isnan(var[O + 1]));
      CHECK(N * O == 0 || memcmp(y.data(), plain.data(), N * O * 4) == 0);
      CHECK(O == 0 || memcmp(mean.data(), want_mean.data(), O * 8) == 0);
      CHECK(O == 0 || memcmp(var.data(), want_var.data(), O * 8) == 0);
    }
  }
  keel_set_num_threads(before);
}

int main() {
  const keel_kernels* scalar = keel_kernels_for(KEEL_ISA_SCALAR);
  CHECK(scalar != nullptr);
  if (!scalar) return 1;
  if (!keel_test_levels_valid()) return 2;
  int levels = 0;
  for (int i = 0; i < 4; i++) {
    const keel_kernels* k = keel_test_level((keel_isa)i);
    if (!k) continue;
    levels++;
    const std::string isa = keel_isa_name((keel_isa)i);
    context = isa + " variants";
    printf("%s: linear variants %s %s %s %s\n", isa.c_str(), k->linear_forward_variant, k->linear_backward_data_variant,
           k->linear_backward_weight_variant, k->linear_backward_bias_variant);
    test_shapes(scalar, k, isa);
    test_determinism(k, isa);
    test_forward_stats(k, isa);
  }
  printf("keel linear tests: %d CPU level(s), %d failure(s)\n", levels, failures);
  return failures == 0 ? 0 : 1;
}
