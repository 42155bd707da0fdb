// libFuzzer target: the batchnorm1d family (training forward with or without running statistics,
// eval forward, backward in training and eval form, with or without dweight/dbias, affine or not) at
// every SIMD level against the scalar variant, on (N, C) and (N, C, L) shapes decoded from the input:
// batch 1..12, channels 1..12, length 1..40, eps 1e-5..0.1, any averaging factor, data
// centred on -4..4 with half-width 0.25..4 (the regime of the parity tests' tolerance).
#include "fuzz.h"

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const int64_t N = in.range(1, 12), C = in.range(1, 12), L = in.range(1, 40);
  const bool affine = in.flag(), running = in.flag(), want_grads = in.flag();
  const double eps_choices[] = {1e-5, 1e-3, 0.1};
  const double eps = eps_choices[in.byte() % 3], factor = in.unit();
  const float center = (float)in.range(-4, 4), half = ldexpf(1.0f, (int)in.range(-2, 2));
  const int64_t n = N * C * L;
  const bool train = N * L > 1;  // the binding rejects training on one value per channel
  ctx().shape = fmt("N=%lld C=%lld L=%lld affine=%d running=%d grads=%d eps=%g factor=%.17g data=%g+-%g", (long long)N,
                    (long long)C, (long long)L, (int)affine, (int)running, (int)want_grads, eps, factor, center, half);

  Rng r{in.u64()};
  In x = uniform(r, n, center - half, center + half), dy = uniform(r, n, -1, 1), w = uniform(r, C, 0.5f, 1.5f),
     b = uniform(r, C, -1, 1), rm = uniform(r, C, center - 0.5f, center + 0.5f), rv = uniform(r, C, 0.5f, 2.0f);
  const float* weight = affine ? w.data() : nullptr;
  const float* bias = affine ? b.data() : nullptr;
  const keel_batchnorm1d_params p{N, C, L, eps, factor};

  // Backward inputs: the scalar training forward's saved statistics, or the running ones.
  const keel_kernels* s = scalar();
  ctx().level = "scalar";
  Out y(n), smean(C), sinvstd(C), rmean(rm), rvar(rv), ye(n);
  if (train)
    s->batchnorm1d_train_forward(y.data(), smean.data(), sinvstd.data(), running ? rmean.data() : nullptr,
                                 running ? rvar.data() : nullptr, x.data(), weight, bias, &p);
  s->batchnorm1d_eval_forward(ye.data(), x.data(), rm.data(), rv.data(), weight, bias, &p);
  In emean(C), einvstd(C);
  for (int64_t c = 0; c < C; c++) emean[c] = rm[c], einvstd[c] = (float)(1.0 / sqrt((double)rv[c] + eps));

  // dweight/dbias scales: sum |dy xhat| and sum |dy| per channel.
  auto backward = [&](const keel_kernels* k, bool training, Out& dx, Out& dw, Out& db) {
    const keel_batchnorm1d_backward_params bp{N, C, L, training};
    k->batchnorm1d_backward(dx.data(), want_grads ? dw.data() : nullptr, want_grads ? db.data() : nullptr, dy.data(),
                            x.data(), training ? smean.data() : emean.data(), training ? sinvstd.data() : einvstd.data(),
                            weight, &bp);
  };
  auto grad_scales = [&](bool training, Out& sw, Out& sb) {
    const float* mean = training ? smean.data() : emean.data();
    const float* invstd = training ? sinvstd.data() : einvstd.data();
    for (int64_t c = 0; c < C; c++) {
      double aw = 0, ab = 0;
      for (int64_t i = 0; i < N; i++)
        for (int64_t l = 0; l < L; l++) {
          const int64_t j = (i * C + c) * L + l;
          ab += fabs((double)dy[j]);
          aw += fabs((double)dy[j] * ((double)x[j] - mean[c]) * invstd[c]);
        }
      sw.buf[(size_t)c] = (float)aw, sb.buf[(size_t)c] = (float)ab;
    }
  };

  for_each_level([&](const keel_kernels* k) {
    if (train) {
      ctx().kernel = "batchnorm1d_train_forward";
      Out y2(n), sm2(C), si2(C), rm2(rm), rv2(rv);
      k->batchnorm1d_train_forward(y2.data(), sm2.data(), si2.data(), running ? rm2.data() : nullptr,
                                   running ? rv2.data() : nullptr, x.data(), weight, bias, &p);
      compare("y", y2, y, kBatchNorm);
      compare("save_mean", sm2, smean, kBatchNorm);
      compare("save_invstd", si2, sinvstd, kBatchNorm);
      compare("running_mean", rm2, rmean, kBatchNorm);
      compare("running_var", rv2, rvar, kBatchNorm);
    }
    ctx().kernel = "batchnorm1d_eval_forward";
    Out ye2(n);
    k->batchnorm1d_eval_forward(ye2.data(), x.data(), rm.data(), rv.data(), weight, bias, &p);
    compare("y", ye2, ye, kBatchNorm);
    for (int training = 0; training <= (int)train; training++) {
      ctx().kernel = training ? "batchnorm1d_backward (training)" : "batchnorm1d_backward (eval)";
      Out dx(n), dw(C), db(C), dx2(n), dw2(C), db2(C), sw(C), sb(C);
      backward(s, training, dx, dw, db);
      backward(k, training, dx2, dw2, db2);
      compare("dx", dx2, dx, kBatchNorm);
      if (want_grads) {
        grad_scales(training, sw, sb);
        compare("dweight", dw2, dw, kBatchNorm, sw.data());
        compare("dbias", db2, db, kBatchNorm, sb.data());
      }
    }
  });
  return 0;
}
