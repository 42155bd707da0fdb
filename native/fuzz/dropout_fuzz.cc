// libFuzzer target: dropout and dropout1d (Philox masks, forward, backward) and ReLU at every SIMD
// level against the scalar variant, bitwise: count 0..300 (dropout) or 0..40 rows of 1..40
// (dropout1d), p = 0, 1, near them or any fraction, any seed, stream and offset (counter carries
// included), data with NaN, infinities, signed zeros, subnormals and raw bit patterns.
#include "fuzz.h"

using namespace fuzz;

namespace {

// The mask as floats with its guard bytes, so that compare() checks it and what lies after it.
Out mask_of(const keel_kernels* k, keel_dropout_mask_fn keel_kernels::*fn, const keel_dropout_params& p) {
  std::vector<uint8_t> m((size_t)p.count + kGuard, 0xA5);
  (k->*fn)(m.data(), &p);
  Out o(p.count + kGuard);
  for (int64_t i = 0; i < p.count + kGuard; i++) o.buf[(size_t)i] = m[(size_t)i];
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const bool d1 = in.flag();
  keel_dropout_params p;
  p.count = d1 ? in.range(0, 40) : in.range(0, 255) + in.range(0, 45);
  p.length = d1 ? in.range(1, 40) : 1;
  const uint8_t pick = in.byte();
  const double near[] = {0.0, 1.0, 1e-12, 1.0 - 1e-12, 0.5, 0x1p-32, 1.0 - 0x1p-32};
  p.p = pick < 64 ? near[pick % 7] : in.unit();
  p.seed = in.u64();
  p.stream = in.u64();
  p.offset = draw_offset(in, p.count);  // dropout1d: one draw per row
  const int64_t n = p.count * p.length;
  ctx().shape = fmt("%s count=%lld length=%lld p=%.17g seed=%llu stream=%llu offset=%llu", d1 ? "dropout1d" : "dropout",
                    (long long)p.count, (long long)p.length, p.p, (unsigned long long)p.seed,
                    (unsigned long long)p.stream, (unsigned long long)p.offset);
  Rng r{in.u64()};
  In x = with_specials(in, r, n, -2, 2), y = with_specials(in, r, n, -2, 2);

  const keel_kernels* s = scalar();
  auto mask_fn = d1 ? &keel_kernels::dropout1d_mask : &keel_kernels::dropout_mask;
  auto fwd_fn = d1 ? &keel_kernels::dropout1d_forward : &keel_kernels::dropout_forward;
  auto bwd_fn = d1 ? &keel_kernels::dropout1d_backward : &keel_kernels::dropout_backward;
  const keel_eltwise_params e{n};
  ctx().level = "scalar";
  const Out mask = mask_of(s, mask_fn, p);
  Out fwd(n), bwd(n), relu(n), relu_dx(n);
  (s->*fwd_fn)(fwd.data(), x.data(), &p);
  (s->*bwd_fn)(bwd.data(), x.data(), &p);
  s->relu_forward(relu.data(), x.data(), &e);
  s->relu_backward(relu_dx.data(), x.data(), y.data(), &e);

  for_each_level([&](const keel_kernels* k) {
    ctx().kernel = d1 ? "dropout1d_mask" : "dropout_mask";
    compare("mask", mask_of(k, mask_fn, p), mask, kExact);
    Out fwd2(n), bwd2(n), relu2(n), relu_dx2(n);
    ctx().kernel = d1 ? "dropout1d_forward" : "dropout_forward";
    (k->*fwd_fn)(fwd2.data(), x.data(), &p);
    compare("y", fwd2, fwd, kExact);
    ctx().kernel = d1 ? "dropout1d_backward" : "dropout_backward";
    (k->*bwd_fn)(bwd2.data(), x.data(), &p);
    compare("dx", bwd2, bwd, kExact);
    ctx().kernel = "relu_forward";
    k->relu_forward(relu2.data(), x.data(), &e);
    compare("y", relu2, relu, kExact);
    ctx().kernel = "relu_backward";
    k->relu_backward(relu_dx2.data(), x.data(), y.data(), &e);
    compare("dx", relu_dx2, relu_dx, kExact);
  });
  return 0;
}
