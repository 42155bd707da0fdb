// libFuzzer target: the fused BatchNorm1d -> ReLU -> Dropout block (forward in training or eval form,
// in place or not, forward with given batch statistics, backward) at every SIMD level against the
// scalar variant, on shapes and parameters decoded from the input: batch 0..8 (0 in eval only),
// channels 1..80 (past one 64-channel block of the (N, C) path), length 1..40, affine or not, running statistics or not, p = 0, 1, near them or any fraction, any seed,
// stream and offset. The backward runs from the scalar forward's saved statistics, as in the parity
// tests; an in-place forward must equal the out-of-place one bitwise, and the backward given the
// forward's output the level's regular backward.
#include "fuzz.h"

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  keel_bn_relu_dropout_params p;
  p.batch = in.range(0, 8), p.channels = in.range(1, 80), p.length = in.range(1, 40);
  const int64_t N = p.batch, C = p.channels, L = p.length, n = N * C * L;
  p.training = in.flag() && N * L > 1;
  const bool affine = in.flag(), running = !p.training || in.flag();
  const double eps_choices[] = {1e-5, 1e-3, 0.1};
  p.eps = eps_choices[in.byte() % 3];
  p.exponential_average_factor = in.unit();
  const uint8_t pick = in.byte();
  const double near[] = {0.0, 1.0, 1e-12, 1.0 - 1e-12, 0.5, 0x1p-32};
  p.p = pick < 64 ? near[pick % 6] : in.unit();
  p.seed = in.u64(), p.stream = in.u64(), p.offset = draw_offset(in, n);
  const float center = (float)in.range(-4, 4), half = ldexpf(1.0f, (int)in.range(-2, 2));
  ctx().shape = fmt("N=%lld C=%lld L=%lld training=%d affine=%d running=%d eps=%g factor=%.17g p=%.17g seed=%llu "
                    "stream=%llu offset=%llu data=%g+-%g",
                    (long long)N, (long long)C, (long long)L, p.training, (int)affine, (int)running, p.eps,
                    p.exponential_average_factor, p.p, (unsigned long long)p.seed, (unsigned long long)p.stream,
                    (unsigned long long)p.offset, center, half);

  Rng r{in.u64()};
  In x = uniform(r, n, center - half, center + half), dy = uniform(r, n, -1, 1), w = uniform(r, C, 0.5f, 1.5f),
     b = uniform(r, C, -0.5f, 0.5f), rm = uniform(r, C, center - 0.5f, center + 0.5f), rv = uniform(r, C, 0.5f, 2.0f);
  const float* weight = affine ? w.data() : nullptr;
  const float* bias = affine ? b.data() : nullptr;

  struct Fwd {
    Out y, mean, invstd, rm, rv;
  };
  auto forward = [&](const keel_kernels* k, bool in_place) {
    Fwd f{Out(n), Out(C), Out(C), Out(rm), Out(rv)};
    const float* src = x.data();
    if (in_place) memcpy(f.y.data(), x.data(), (size_t)n * 4), src = f.y.data();
    k->bn_relu_dropout_forward(f.y.data(), f.mean.data(), f.invstd.data(), running ? f.rm.data() : nullptr,
                               running ? f.rv.data() : nullptr, src, weight, bias, &p);
    return f;
  };
  auto same = [](const Fwd& a, const Fwd& b, Tol t) {
    compare("y", a.y, b.y, t);
    compare("save_mean", a.mean, b.mean, t);
    compare("save_invstd", a.invstd, b.invstd, t);
    compare("running_mean", a.rm, b.rm, t);
    compare("running_var", a.rv, b.rv, t);
  };

  // The batch statistics given to forward_with_stats: two-pass double mean and biased variance.
  std::unique_ptr<double[]> bmean(new double[(size_t)C]), bvar(new double[(size_t)C]);
  for (int64_t c = 0; c < C; c++) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < N; i++)
      for (int64_t l = 0; l < L; l++) m += x[(i * C + c) * L + l];
    m /= (double)(N * L);
    for (int64_t i = 0; i < N; i++)
      for (int64_t l = 0; l < L; l++) v += (x[(i * C + c) * L + l] - m) * (x[(i * C + c) * L + l] - m);
    bmean[(size_t)c] = m, bvar[(size_t)c] = v / (double)(N * L);
  }
  auto with_stats = [&](const keel_kernels* k) {
    Fwd f{Out(n), Out(C), Out(C), Out(rm), Out(rv)};
    k->bn_relu_dropout_forward_with_stats(f.y.data(), f.mean.data(), f.invstd.data(), running ? f.rm.data() : nullptr,
                                          running ? f.rv.data() : nullptr, x.data(), bmean.get(), bvar.get(), weight,
                                          bias, &p);
    return f;
  };

  const keel_kernels* s = scalar();
  ctx().level = "scalar";
  ctx().kernel = "bn_relu_dropout_forward (in place)";
  const Fwd want = forward(s, false);
  same(forward(s, true), want, kExact);
  Fwd want_stats{Out(0), Out(0), Out(0), Out(0), Out(0)};
  if (p.training) want_stats = with_stats(s);

  // Backward from the scalar forward's saved statistics; dweight/dbias scale 4 sum|dy| / C.
  auto backward = [&](const keel_kernels* k) {
    Fwd g{Out(n), Out(C), Out(C), Out(0), Out(0)};  // dx, dweight, dbias
    k->bn_relu_dropout_backward(g.y.data(), g.mean.data(), g.invstd.data(), dy.data(), x.data(), want.mean.data(),
                                want.invstd.data(), weight, bias, &p);
    return g;
  };
  const Fwd grads = backward(s);
  double sum_abs = 0;
  for (int64_t i = 0; i < n; i++) sum_abs += fabs(dy[i]) * 4.0;
  const std::vector<float> gscale((size_t)C, (float)(sum_abs / (double)C));

  for_each_level([&](const keel_kernels* k) {
    ctx().kernel = "bn_relu_dropout_forward";
    const Fwd got = forward(k, false);
    same(got, want, kBatchNorm);
    ctx().kernel = "bn_relu_dropout_forward (in place)";
    same(forward(k, true), got, kExact);
    if (p.training) {
      ctx().kernel = "bn_relu_dropout_forward_with_stats";
      same(with_stats(k), want_stats, kBatchNorm);
    }
    ctx().kernel = "bn_relu_dropout_backward";
    const Fwd g = backward(k);
    compare("dx", g.y, grads.y, kBatchNorm);
    compare("dweight", g.mean, grads.mean, kBatchNorm, gscale.data());
    compare("dbias", g.invstd, grads.invstd, kBatchNorm, gscale.data());
    // Given the forward's y (the scalar's: the same decisions at every level for the same statistics),
    // the backward reads keep && v > 0 off y > 0: this level's regular backward, bit for bit.
    ctx().kernel = "bn_relu_dropout_backward_with_output";
    Fwd h{Out(n), Out(C), Out(C), Out(0), Out(0)};
    k->bn_relu_dropout_backward_with_output(h.y.data(), h.mean.data(), h.invstd.data(), dy.data(), x.data(), want.y.data(),
                                            want.mean.data(), want.invstd.data(), weight, &p);
    compare("dx", h.y, g.y, kExact);
    compare("dweight", h.mean, g.mean, kExact);
    compare("dbias", h.invstd, g.invstd, kExact);
  });
  return 0;
}
