// libFuzzer target: the linear family (forward, backward data/weight/bias: the GEMM tiles and their
// tails) at every SIMD level against the scalar variant, on shapes decoded from the input: batch
// 0..40, 1..80 input and 1..80 output features, bias or not, data scaled by 2^-8..2^8. The forward
// with statistics must give the level's own forward bit for bit and BatchNorm's two-pass statistics
// of it.
#include "fuzz.h"

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const keel_linear_params p{in.range(0, 40), in.range(1, 80), in.range(1, 80)};
  const bool has_bias = in.flag();
  const float mag = ldexpf(1.0f, (int)in.range(-8, 8));
  const int64_t N = p.batch, I = p.in_features, O = p.out_features;
  ctx().shape = fmt("N=%lld in=%lld out=%lld bias=%d mag=%g", (long long)N, (long long)I, (long long)O, (int)has_bias, mag);

  Rng r{in.u64()};
  In x = uniform(r, N * I, -mag, mag), w = uniform(r, O * I, -1, 1), b = uniform(r, O, -mag, mag),
     dy = uniform(r, N * O, -1, 1);
  In ax(N * I), aw(O * I), ab(O), ady(N * O);
  for (int64_t i = 0; i < N * I; i++) ax[i] = fabsf(x[i]);
  for (int64_t i = 0; i < O * I; i++) aw[i] = fabsf(w[i]);
  for (int64_t i = 0; i < O; i++) ab[i] = fabsf(b[i]);
  for (int64_t i = 0; i < N * O; i++) ady[i] = fabsf(dy[i]);
  const float* bias = has_bias ? b.data() : nullptr;

  // The same reductions over absolute values, by the scalar kernels: the scales of the rtol.
  const keel_kernels* s = scalar();
  ctx().level = "scalar";
  Out sy(N * O), sdx(N * I), sdw(O * I), sdb(O);
  s->linear_forward(sy.data(), ax.data(), aw.data(), has_bias ? ab.data() : nullptr, &p);
  s->linear_backward_data(sdx.data(), ady.data(), aw.data(), &p);
  s->linear_backward_weight(sdw.data(), ax.data(), ady.data(), &p);
  s->linear_backward_bias(sdb.data(), ady.data(), &p);

  Out y(N * O), dx(N * I), dw(O * I), db(O);
  s->linear_forward(y.data(), x.data(), w.data(), bias, &p);
  s->linear_backward_data(dx.data(), dy.data(), w.data(), &p);
  s->linear_backward_weight(dw.data(), x.data(), dy.data(), &p);
  s->linear_backward_bias(db.data(), dy.data(), &p);

  for_each_level([&](const keel_kernels* k) {
    Out y2(N * O), dx2(N * I), dw2(O * I), db2(O);
    ctx().kernel = "linear_forward";
    k->linear_forward(y2.data(), x.data(), w.data(), bias, &p);
    compare("y", y2, y, kSum, sy.data());
    ctx().kernel = "linear_forward_stats";
    Out y3(N * O);
    OutD mean(O), var(O);
    k->linear_forward_stats(y3.data(), mean.data(), var.data(), x.data(), w.data(), bias, &p);
    compare("y", y3, y2, kExact);
    for (int64_t o = 0; o < O; o++) {
      double sum = 0.0, sq = 0.0;
      for (int64_t n = 0; n < N; n++) sum += (double)y2.data()[n * O + o];
      const double m = N ? sum / (double)N : 0.0;
      for (int64_t n = 0; n < N; n++) {
        const double d = (double)y2.data()[n * O + o] - m;
        sq += d * d;
      }
      const double v = N ? sq / (double)N : 0.0;
      if (memcmp(&mean.buf[(size_t)o], &m, 8) != 0 || memcmp(&var.buf[(size_t)o], &v, 8) != 0)
        fail(fmt("column %lld: mean %.17g var %.17g, two-pass %.17g %.17g", (long long)o, mean.buf[(size_t)o],
                 var.buf[(size_t)o], m, v));
    }
    for (int g = 0; g < kGuard; g++)
      if (mean.buf[(size_t)O + g] != -1234.5 || var.buf[(size_t)O + g] != -1234.5) fail("mean or var written past its end");
    ctx().kernel = "linear_backward_data";
    k->linear_backward_data(dx2.data(), dy.data(), w.data(), &p);
    compare("dx", dx2, dx, kSum, sdx.data());
    ctx().kernel = "linear_backward_weight";
    k->linear_backward_weight(dw2.data(), x.data(), dy.data(), &p);
    compare("dw", dw2, dw, kWeightGrad, sdw.data());
    ctx().kernel = "linear_backward_bias";
    k->linear_backward_bias(db2.data(), dy.data(), &p);
    compare("db", db2, db, kSum, sdb.data());
  });
  return 0;
}
