// libFuzzer target: the optimiser updates (adam_update with every decoupled/amsgrad/maximize
// combination, and adam_update_multi over the same elements cut into three tensors; sgd_update with
// and without a momentum buffer, Nesterov, maximize, first step) and the gradient scan
// (nonfinite_index: the same index at every level, and the first non-finite element by
// std::isfinite) at every SIMD level against the scalar variant, bitwise (every variant reproduces
// PyTorch's float32 op order; only a NaN's sign and payload are free): count 0..300,
// hyperparameters from PyTorch-like values or raw bit patterns, parameters, gradients and state with
// NaN, infinities, signed zeros, subnormals and huge values.
#include "fuzz.h"

using namespace fuzz;

namespace {

// A hyperparameter: a typical value scaled by a power of two, or (rarely) any bit pattern.
float hyper(Input& in, float typical) {
  const uint8_t b = in.byte();
  if (b >= 240) return in.raw_float();
  return ldexpf(typical, (int)(b % 16) - 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const int kind = in.byte() % 3;  // 0 adam_update, 1 sgd_update, 2 nonfinite_index
  const int64_t n = in.range(0, 255) + in.range(0, 45);
  Rng r{in.u64()};
  In param = with_specials(in, r, n, -1, 1), grad = with_specials(in, r, n, -1, 1);
  In m = with_specials(in, r, n, -0.1f, 0.1f), v = with_specials(in, r, n, 0, 0.01f, true),
     vmax = with_specials(in, r, n, 0, 0.012f);
  const keel_kernels* s = scalar();

  if (kind == 2) {
    keel_eltwise_params p{};
    p.count = n;
    ctx().kernel = "nonfinite_index";
    ctx().shape = fmt("count=%lld", (long long)n);
    ctx().level = "scalar";
    int64_t first = -1;
    for (int64_t i = 0; i < n && first < 0; i++)
      if (!isfinite(grad.data()[i])) first = i;
    const int64_t want = s->nonfinite_index(grad.data(), &p);
    if (want != first) fail(fmt("index %lld, but the first non-finite element is %lld", (long long)want, (long long)first));
    for_each_level([&](const keel_kernels* k) {
      const int64_t got = k->nonfinite_index(grad.data(), &p);
      if (got != want) fail(fmt("index %lld, scalar %lld", (long long)got, (long long)want));
    });
    return 0;
  }
  if (kind == 0) {
    keel_adam_params p;
    p.count = n;
    p.beta1 = hyper(in, 0.9f), p.beta2 = hyper(in, 0.999f);
    p.one_minus_beta1 = 1.0f - p.beta1, p.one_minus_beta2 = 1.0f - p.beta2;
    p.weight_decay = in.flag() ? 0.0f : hyper(in, 0.01f), p.eps = hyper(in, 1e-8f);
    p.decay = 1.0f - 1e-3f * p.weight_decay;
    p.c2_sqrt = hyper(in, 0.05f), p.neg_step = -hyper(in, 1e-3f);
    p.decoupled = in.flag(), p.maximize = in.flag(), p.amsgrad = in.flag();
    ctx().kernel = "adam_update";
    ctx().shape = fmt("count=%lld beta1=%a beta2=%a wd=%a eps=%a c2_sqrt=%a neg_step=%a decoupled=%d maximize=%d amsgrad=%d",
                      (long long)n, p.beta1, p.beta2, p.weight_decay, p.eps, p.c2_sqrt, p.neg_step, p.decoupled,
                      p.maximize, p.amsgrad);
    struct State {
      Out param, m, v, vmax;
    };
    auto run = [&](const keel_kernels* k) {
      State st{Out(param), Out(m), Out(v), Out(vmax)};
      k->adam_update(st.param.data(), st.m.data(), st.v.data(), p.amsgrad ? st.vmax.data() : nullptr, grad.data(), &p);
      return st;
    };
    // adam_update_multi over the same elements cut into three tensors at two fuzzed points: the bits
    // of the one adam_update (each element's update is independent of the others).
    const int64_t cut1 = in.range(0, n), cut2 = cut1 + in.range(0, n - cut1);
    auto run_multi = [&](const keel_kernels* k) {
      State st{Out(param), Out(m), Out(v), Out(vmax)};
      const int64_t at[] = {0, cut1, cut2, n};
      keel_adam_tensor ts[3];
      for (int t = 0; t < 3; t++) {
        const int64_t o = at[t];
        ts[t] = {st.param.data() + o, st.m.data() + o, st.v.data() + o, p.amsgrad ? st.vmax.data() + o : nullptr, grad.data() + o, p};
        ts[t].p.count = at[t + 1] - o;
      }
      k->adam_update_multi(ts, 3);
      return st;
    };
    ctx().level = "scalar";
    const State want = run(s);
    auto expect_same = [&](const State& got) {
      compare("param", got.param, want.param, kExactAnyNan);
      compare("exp_avg", got.m, want.m, kExactAnyNan);
      compare("exp_avg_sq", got.v, want.v, kExactAnyNan);
      compare("max_exp_avg_sq", got.vmax, want.vmax, kExactAnyNan);
    };
    ctx().kernel = "adam_update_multi";
    expect_same(run_multi(s));
    for_each_level([&](const keel_kernels* k) {
      ctx().kernel = "adam_update";
      expect_same(run(k));
      ctx().kernel = "adam_update_multi";
      expect_same(run_multi(k));
    });
  } else {
    keel_sgd_params p;
    p.count = n;
    p.weight_decay = in.flag() ? 0.0f : hyper(in, 0.01f), p.momentum = hyper(in, 0.9f);
    p.one_minus_dampening = 1.0f - (in.flag() ? 0.0f : hyper(in, 0.1f));
    p.neg_lr = -hyper(in, 0.01f);
    p.nesterov = in.flag(), p.maximize = in.flag(), p.first_step = in.flag();
    const bool buffer = in.flag();
    ctx().kernel = "sgd_update";
    ctx().shape = fmt("count=%lld wd=%a momentum=%a 1-dampening=%a neg_lr=%a nesterov=%d maximize=%d first_step=%d buffer=%d",
                      (long long)n, p.weight_decay, p.momentum, p.one_minus_dampening, p.neg_lr, p.nesterov,
                      p.maximize, p.first_step, (int)buffer);
    struct State {
      Out param, buf;
    };
    auto run = [&](const keel_kernels* k) {
      State st{Out(param), Out(m)};
      k->sgd_update(st.param.data(), buffer ? st.buf.data() : nullptr, grad.data(), &p);
      return st;
    };
    ctx().level = "scalar";
    const State want = run(s);
    for_each_level([&](const keel_kernels* k) {
      const State got = run(k);
      compare("param", got.param, want.param, kExactAnyNan);
      compare("momentum_buffer", got.buf, want.buf, kExactAnyNan);
    });
  }
  return 0;
}
