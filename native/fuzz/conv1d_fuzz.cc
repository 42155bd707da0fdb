// libFuzzer target: the conv1d family (forward, backward data/weight/bias, forward with ReLU, forward
// with batch statistics) at every SIMD level against the scalar variant, on shapes and options the
// binding accepts (groups divide both channel counts, the padded input covers the kernel span) decoded
// from the input: batch 0..3, groups 1..4, 1..5 input and 1..6 output channels per group, length
// 1..48, kernel 1..7, stride 1..4, padding 0..6 per side, dilation 1..4, bias or not, data scaled by
// 2^-8..2^8.
#include "fuzz.h"

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  keel_conv1d_params p;
  const int64_t groups = in.range(1, 4);
  p.batch = in.range(0, 3);
  p.in_channels = groups * in.range(1, 5);
  p.out_channels = groups * in.range(1, 6);
  p.groups = groups;
  p.in_length = in.range(1, 48);
  p.kernel_size = in.range(1, 7);
  p.stride = in.range(1, 4);
  p.pad_left = in.range(0, 6);
  p.pad_right = in.range(0, 6);
  p.dilation = in.range(1, 4);
  const bool has_bias = in.flag();
  const float mag = ldexpf(1.0f, (int)in.range(-8, 8));
  if (p.in_length + p.pad_left + p.pad_right < p.dilation * (p.kernel_size - 1) + 1) return -1;  // rejected
  const int64_t N = p.batch, Cin = p.in_channels, Cout = p.out_channels, L = p.in_length, K = p.kernel_size;
  const int64_t Lout = keel_conv1d_out_length(&p), cin_g = Cin / groups;
  ctx().shape = fmt("N=%lld Cin=%lld Cout=%lld L=%lld K=%lld stride=%lld pad=(%lld,%lld) dil=%lld groups=%lld bias=%d mag=%g",
                    (long long)N, (long long)Cin, (long long)Cout, (long long)L, (long long)K, (long long)p.stride,
                    (long long)p.pad_left, (long long)p.pad_right, (long long)p.dilation, (long long)groups,
                    (int)has_bias, mag);

  Rng r{in.u64()};
  const int64_t nx = N * Cin * L, ny = N * Cout * Lout, nw = Cout * cin_g * K;
  In x = uniform(r, nx, -mag, mag), w = uniform(r, nw, -1, 1), b = uniform(r, Cout, -mag, mag),
     dy = uniform(r, ny, -1, 1);
  In ax(nx), aw(nw), ab(Cout), ady(ny);
  for (int64_t i = 0; i < nx; i++) ax[i] = fabsf(x[i]);
  for (int64_t i = 0; i < nw; i++) aw[i] = fabsf(w[i]);
  for (int64_t i = 0; i < Cout; i++) ab[i] = fabsf(b[i]);
  for (int64_t i = 0; i < ny; i++) ady[i] = fabsf(dy[i]);
  const float* bias = has_bias ? b.data() : nullptr;

  const keel_kernels* s = scalar();
  ctx().level = "scalar";
  // The same reductions over absolute values, by the scalar kernels: the scales of the rtol.
  Out sy(ny), sdx(nx), sdw(nw), sdb(Cout);
  ctx().kernel = "conv1d (scales)";
  s->conv1d_forward(sy.data(), ax.data(), aw.data(), has_bias ? ab.data() : nullptr, &p);
  s->conv1d_backward_data(sdx.data(), ady.data(), aw.data(), &p);
  s->conv1d_backward_weight(sdw.data(), ax.data(), ady.data(), &p);
  s->conv1d_backward_bias(sdb.data(), ady.data(), &p);

  Out y(ny), yr(ny), dx(nx), dw(nw), db(Cout);
  s->conv1d_forward(y.data(), x.data(), w.data(), bias, &p);
  s->conv1d_relu_forward(yr.data(), x.data(), w.data(), bias, &p);
  s->conv1d_backward_data(dx.data(), dy.data(), w.data(), &p);
  s->conv1d_backward_weight(dw.data(), x.data(), dy.data(), &p);
  s->conv1d_backward_bias(db.data(), dy.data(), &p);

  // forward_stats at one level: y bitwise that level's conv1d_forward, mean/var against double
  // two-pass statistics of that y (the bounds of conv1d_epilogue_tests.cc).
  auto check_stats = [&](const keel_kernels* k, const Out& y_level) {
    ctx().kernel = "conv1d_forward_stats";
    Out ys(ny);
    OutD mean(Cout), var(Cout);
    k->conv1d_forward_stats(ys.data(), mean.data(), var.data(), x.data(), w.data(), bias, &p);
    compare("y", ys, y_level, kExact);
    for (int g = 0; g < kGuard; g++)
      if (mean.buf[(size_t)Cout + g] != -1234.5 || var.buf[(size_t)Cout + g] != -1234.5)
        fail("mean/var written past their end");
    const int64_t M = N * Lout;
    for (int64_t c = 0; c < Cout; c++) {
      double m = 0, v = 0, ymax = 0;
      for (int64_t n = 0; n < N; n++)
        for (int64_t l = 0; l < Lout; l++) m += ys.buf[(size_t)((n * Cout + c) * Lout + l)];
      m = M ? m / (double)M : 0;
      for (int64_t n = 0; n < N; n++)
        for (int64_t l = 0; l < Lout; l++) {
          const double d = ys.buf[(size_t)((n * Cout + c) * Lout + l)];
          v += (d - m) * (d - m), ymax = fmax(ymax, fabs(d));
        }
      v = M ? v / (double)M : 0;
      if (!(fabs(mean.buf[(size_t)c] - m) <= 1e-5 * ymax) ||
          !(fabs(var.buf[(size_t)c] - v) <= 1e-5 * v + 1e-7 * ymax * ymax))
        fail(fmt("channel %lld: mean %.17g var %.17g, two-pass of y: mean %.17g var %.17g", (long long)c,
                 mean.buf[(size_t)c], var.buf[(size_t)c], m, v));
    }
  };
  check_stats(s, y);

  for_each_level([&](const keel_kernels* k) {
    Out y2(ny), yr2(ny), dx2(nx), dw2(nw), db2(Cout);
    ctx().kernel = "conv1d_forward";
    k->conv1d_forward(y2.data(), x.data(), w.data(), bias, &p);
    compare("y", y2, y, kSum, sy.data());
    ctx().kernel = "conv1d_relu_forward";
    k->conv1d_relu_forward(yr2.data(), x.data(), w.data(), bias, &p);
    compare("y", yr2, yr, kSum, sy.data());
    ctx().kernel = "conv1d_backward_data";
    k->conv1d_backward_data(dx2.data(), dy.data(), w.data(), &p);
    compare("dx", dx2, dx, kSum, sdx.data());
    ctx().kernel = "conv1d_backward_weight";
    k->conv1d_backward_weight(dw2.data(), x.data(), dy.data(), &p);
    compare("dw", dw2, dw, kWeightGrad, sdw.data());
    ctx().kernel = "conv1d_backward_bias";
    k->conv1d_backward_bias(db2.data(), dy.data(), &p);
    compare("db", db2, db, kSum, sdb.data());
    check_stats(k, y2);
  });
  return 0;
}
