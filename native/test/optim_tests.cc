// Known answers for the optimiser updates at every CPU level this machine supports (under qemu for
// NEON: .ci/neon): SGD's momentum buffer (cloned from d on the first step, never read then), Nesterov,
// plain SGD without a buffer, ±0 and NaN handling, AMSGrad's NaN-propagating maximum, and the
// float64-formed fused ops (a case where a float32 FMA would round the other way), and the
// non-finite scan's first bad index. Each runs on 67 elements: a vector body and a tail at every
// level. And the multi-tensor Adam against single calls, over tensors of 0 to 20000 elements.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "keel.h"
#include "check.h"


static bool same_bits(float a, float b) { return memcmp(&a, &b, 4) == 0; }

// Every element of `got` must have the bits of want(i).
template <typename F>
static void check_all(const char* what, const std::vector<float>& got, F want) {
  for (size_t i = 0; i < got.size(); i++) {
    const float w = want(i);
    if (!same_bits(got[i], w) && !(isnan(got[i]) && isnan(w))) {
      failures++;
      fprintf(stderr, "FAIL [%s] %s[%zu]: expected %.9g, got %.9g\n", context.c_str(), what, i, w, got[i]);
      return;
    }
  }
}

static const int64_t kN = 67;

static keel_sgd_params sgd_params(float wd, float mu, float omd, float neg_lr, bool nesterov, bool maximize, bool first) {
  keel_sgd_params p;
  p.count = kN, p.weight_decay = wd, p.momentum = mu, p.one_minus_dampening = omd, p.neg_lr = neg_lr;
  p.nesterov = nesterov, p.maximize = maximize, p.first_step = first;
  return p;
}

static void test_sgd(const keel_kernels* k) {
  std::vector<float> grad(kN), param(kN), buf(kN);
  for (int64_t i = 0; i < kN; i++) grad[i] = (float)(i % 5) - 2.0f;  // -2, -1, 0, 1, 2
  grad[3] = -0.0f;

  // First step: b = d exactly (a NaN-filled buffer is not read); θ = θ - 0.5 d.
  for (int64_t i = 0; i < kN; i++) param[i] = 1.0f, buf[i] = NAN;
  keel_sgd_params p = sgd_params(0, 0.9f, 0.5f, -0.5f, false, false, true);
  k->sgd_update(param.data(), buf.data(), grad.data(), &p);
  check_all("first-step buffer", buf, [&](size_t i) { return grad[i]; });
  check_all("first-step param", param, [&](size_t i) { return 1.0f - 0.5f * grad[i]; });

  // Then b = 0.5 b + 0.5 d (exact here); nesterov: d = d + 0.5 b.
  p = sgd_params(0, 0.5f, 0.5f, -1.0f, true, false, false);
  for (int64_t i = 0; i < kN; i++) param[i] = 0.0f, buf[i] = 2.0f;
  k->sgd_update(param.data(), buf.data(), grad.data(), &p);
  check_all("momentum buffer", buf, [&](size_t i) { return 1.0f + 0.5f * grad[i]; });
  check_all("nesterov param", param, [&](size_t i) { return -(grad[i] + 0.5f * (1.0f + 0.5f * grad[i])); });

  // Plain SGD, maximize, weight decay 0.25: d = -g + 0.25 θ; θ = θ - d. The buffer is not touched.
  p = sgd_params(0.25f, 0.9f, 1.0f, -1.0f, true, true, true);
  for (int64_t i = 0; i < kN; i++) param[i] = 4.0f;
  k->sgd_update(param.data(), nullptr, grad.data(), &p);
  check_all("plain param", param, [&](size_t i) { return 4.0f - (-grad[i] + 1.0f); });

  // -0: maximize of +0 is -0; θ = -0 + (-lr)·(-0) = -0 + +0 = +0; the buffer keeps the -0.
  for (int64_t i = 0; i < kN; i++) param[i] = -0.0f, grad[i] = 0.0f;
  p = sgd_params(0, 0.9f, 1.0f, -0.5f, false, true, true);
  k->sgd_update(param.data(), buf.data(), grad.data(), &p);
  check_all("-0 buffer", buf, [](size_t) { return -0.0f; });
  check_all("-0 param", param, [](size_t) { return 0.0f; });

  // θ + (−lr)·d with the exact value 1 + 2^-24 + 2^-54, just above a float tie: formed in double it is
  // the tie 1 + 2^-24, which rounds to even (1); a float FMA would give 1 + 2^-23.
  const float up = 1.0f + ldexpf(1, -23), below = 1.0f - ldexpf(1, -15), small = ldexpf(1.0f + ldexpf(1, -15), -24);
  for (int64_t i = 0; i < kN; i++) param[i] = up, grad[i] = below;
  p = sgd_params(0, 0, 1.0f, -small, false, false, false);
  k->sgd_update(param.data(), nullptr, grad.data(), &p);
  check_all("double-rounded fused op", param, [](size_t) { return 1.0f; });
}

static void test_adam(const keel_kernels* k) {
  // AMSGrad: v̂ = max(v̂, v), NaN if either is NaN. β2 = 0, 1 − β2 = 1: v = g·g.
  std::vector<float> param(kN, 1.0f), m(kN, 0.0f), v(kN, 0.0f), vmax(kN), grad(kN);
  for (int64_t i = 0; i < kN; i++) grad[i] = (float)(i % 4), vmax[i] = i % 3 == 0 ? NAN : 4.0f;
  keel_adam_params p;
  p.count = kN, p.beta1 = 0.9f, p.beta2 = 0, p.one_minus_beta1 = 0.1f, p.one_minus_beta2 = 1, p.weight_decay = 0;
  p.eps = 1e-8f, p.decay = 1, p.c2_sqrt = 1, p.neg_step = -1e-3f, p.decoupled = 0, p.maximize = 0, p.amsgrad = 1;
  k->adam_update(param.data(), m.data(), v.data(), vmax.data(), grad.data(), &p);
  check_all("amsgrad max", vmax, [&](size_t i) { return i % 3 == 0 ? NAN : fmaxf(4.0f, grad[i] * grad[i]); });

  // g + wd·θ just above a float tie (as in test_sgd): m = 0·β1 + 1·g shows g.
  const float up = 1.0f + ldexpf(1, -23), below = 1.0f - ldexpf(1, -15), small = ldexpf(1.0f + ldexpf(1, -15), -24);
  for (int64_t i = 0; i < kN; i++) param[i] = -below, grad[i] = up, m[i] = 0;
  p.beta1 = 0, p.one_minus_beta1 = 1, p.weight_decay = small, p.amsgrad = 0;
  k->adam_update(param.data(), m.data(), v.data(), nullptr, grad.data(), &p);
  check_all("double-rounded fused op", m, [](size_t) { return 1.0f; });
}

// adam_update_multi: bit for bit adam_update on each tensor in turn, on 2 threads, over counts that
// give every tail, empty tensors, and blocks split across tensors and chunks, with the options and the
// step differing per tensor.
static void test_adam_multi(const keel_kernels* k) {
  const int64_t counts[] = {0, 1, 67, 20000, 0, 4096, 4097, 15, 9000};
  const int64_t nt = sizeof counts / sizeof counts[0];
  std::vector<std::vector<float>> arrays[2];  // [multi, single]: per tensor param, m, v, vmax, grad
  std::vector<keel_adam_tensor> ts(nt);
  for (int64_t t = 0; t < nt; t++) {
    keel_adam_params& p = ts[t].p;
    const int step = 1 + (int)(t % 5);
    p.count = counts[t], p.beta1 = 0.9f, p.beta2 = 0.999f, p.one_minus_beta1 = 0.1f, p.one_minus_beta2 = 0.001f;
    p.weight_decay = t % 3 ? 0.01f : 0.0f, p.eps = 1e-8f, p.decay = 1.0f - 1e-3f * p.weight_decay;
    p.c2_sqrt = sqrtf(1.0f - powf(0.999f, (float)step)), p.neg_step = -1e-3f / (1.0f - powf(0.9f, (float)step));
    p.decoupled = t % 2, p.maximize = t % 4 == 3, p.amsgrad = (t / 2) % 2;
    for (auto& set : arrays)
      for (int a = 0; a < 5; a++) {
        set.emplace_back(counts[t]);
        for (int64_t i = 0; i < counts[t]; i++)  // v and vmax >= 0
          set.back()[i] = a == 2 || a == 3 ? 0.01f * (float)((i + a) % 13) : (float)((i * 7 + t + a) % 11) - 5.0f;
      }
  }
  for (int64_t t = 0; t < nt; t++) {
    std::vector<float>* x = &arrays[0][5 * t];
    ts[t] = {x[0].data(), x[1].data(), x[2].data(), ts[t].p.amsgrad ? x[3].data() : nullptr, x[4].data(), ts[t].p};
  }
  k->adam_update_multi(ts.data(), nt);
  for (int64_t t = 0; t < nt; t++) {
    std::vector<float>* x = &arrays[1][5 * t];
    k->adam_update(x[0].data(), x[1].data(), x[2].data(), ts[t].p.amsgrad ? x[3].data() : nullptr, x[4].data(), &ts[t].p);
  }
  static const char* const kNames[] = {"param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  for (int64_t t = 0; t < nt; t++)
    for (int a = 0; a < 4; a++) {
      const std::vector<float>& want = arrays[1][5 * t + a];
      const std::string what = "tensor " + std::to_string(t) + " " + kNames[a];
      check_all(what.c_str(), arrays[0][5 * t + a], [&](size_t i) { return want[i]; });
    }
}

// nonfinite_index: -1 over finite edge values (±max, subnormals, ±0); with a NaN/±Inf at every
// position, that position even when a later element is bad too; count 0 is -1.
static void test_nonfinite_index(const keel_kernels* k) {
  const float finite[] = {FLT_MAX, -FLT_MAX, 1e-45f, -1e-45f, 0.0f, -0.0f, 1.0f};
  const float bad[] = {NAN, -NAN, INFINITY, -INFINITY};
  std::vector<float> x(kN);
  for (int64_t i = 0; i < kN; i++) x[i] = finite[i % 7];
  keel_eltwise_params p{kN};
  auto expect = [&](const char* what, int64_t want) {
    const int64_t got = k->nonfinite_index(x.data(), &p);
    if (got != want) failures++, fprintf(stderr, "FAIL [%s] %s: expected %lld, got %lld\n", context.c_str(), what, (long long)want, (long long)got);
  };
  expect("all finite", -1);
  for (int64_t at = 0; at < kN; at++) {
    const float keep = x[at];
    x[at] = bad[at % 4];
    x[kN - 1] = at == kN - 1 ? x[at] : NAN;  // a later bad element must not win
    expect("first bad element", at);
    x[at] = keep, x[kN - 1] = finite[(kN - 1) % 7];
  }
  p.count = 0;
  expect("count 0", -1);
}

int main() {
  keel_set_num_threads(2);  // adam_update_multi splits its blocks across the pool
  int levels = 0;
  for (int i = 0; i <= KEEL_ISA_NEON; i++) {
    const keel_kernels* k = keel_kernels_for((keel_isa)i);
    if (!k) continue;
    levels++;
    const std::string isa = keel_isa_name((keel_isa)i);
    context = isa + " sgd_update (" + k->sgd_update_variant + ")";
    test_sgd(k);
    context = isa + " adam_update (" + k->adam_update_variant + ")";
    test_adam(k);
    context = isa + " adam_update_multi (" + k->adam_update_multi_variant + ")";
    test_adam_multi(k);
    context = isa + " nonfinite_index (" + k->nonfinite_index_variant + ")";
    test_nonfinite_index(k);
  }
  printf("keel optimiser tests: %d CPU level(s), %d failure(s)\n", levels, failures);
  return failures == 0 ? 0 : 1;
}
