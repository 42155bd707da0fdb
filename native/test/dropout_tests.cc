// Dropout C++ checks: the vectorised Philox helpers (philox-avx2.h, philox-avx512.h, compiled here
// under target pragmas and run only when the CPU has the ISA) against the scalar definition
// (philox.h) for any alignment of d0, high counter words and thresholds 0, 2^32; and every CPU
// level's dropout kernels against the scalar ones, bitwise, for counts/offsets around vector and
// task boundaries, for thread counts 1..4.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "../src/dropout/philox.h"
#include "keel.h"
#include "check.h"
#include "test_levels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define KEEL_TEST_X86 1
// GCC 12's intrinsic headers self-initialise their "undefined" vectors (GCC bug 105593).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC push_options
#pragma GCC target("avx2,fma,bmi2")
#include "../src/dropout/philox-avx2.h"
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,bmi2")
#include "../src/dropout/philox-avx512.h"
#pragma GCC pop_options
#if !defined(__clang__)  // pop_options restores the diagnostics too
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#endif

static const uint64_t kSeeds[] = {0, 1234, (1ull << 40) + 5, 0xFFFFFFFFFFFFFFFFull};
static const uint64_t kStreams[] = {0, 7, (1ull << 33) + 1};
static const uint64_t kD0[] = {0, 1, 2, 3, 4, 5, 13, 61, 1000, (1ull << 34) + 3, (1ull << 34) - 7,
                               0xFFFFFFFFull * 4 - 5};
static const double kP[] = {0.0, 0.15, 0.5, 0.97, 1.0};

#ifdef KEEL_TEST_X86
__attribute__((target("avx2,fma,bmi2"))) static void test_keep8() {
  context = "philox_keep8";
  for (uint64_t seed : kSeeds)
    for (uint64_t stream : kStreams)
      for (uint64_t d0 : kD0)
        for (double p : kP) {
          const uint64_t t = keel::dropout_threshold(p);
          float lanes[8];
          _mm256_storeu_ps(lanes, keel::philox_keep8(seed, stream, d0, t));
          for (int i = 0; i < 8; i++) {
            uint32_t u;
            memcpy(&u, &lanes[i], 4);
            const bool want = keel::philox_draw(seed, stream, d0 + i) >= t;
            CHECK(u == (want ? 0xFFFFFFFFu : 0u));
          }
          keel::Philox256Key k;
          keel::philox256_key_init(&k, seed, stream, t);
          const uint64_t bits = keel::philox256_keep64(k, d0);
          for (int i = 0; i < 64; i++)
            CHECK(((bits >> i) & 1) == (keel::philox_draw(seed, stream, d0 + i) >= t ? 1u : 0u));
        }
}

__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,bmi2"))) static void test_keep16() {
  context = "philox_keep16";
  for (uint64_t seed : kSeeds)
    for (uint64_t stream : kStreams)
      for (uint64_t d0 : kD0)
        for (double p : kP) {
          const uint64_t t = keel::dropout_threshold(p);
          const __mmask16 m = keel::philox_keep16(seed, stream, d0, t);
          for (int i = 0; i < 16; i++)
            CHECK(((m >> i) & 1) == (keel::philox_draw(seed, stream, d0 + i) >= t ? 1 : 0));
          keel::Philox512Key k;
          keel::philox512_key_init(&k, seed, stream, t);
          const uint64_t bits = keel::philox512_keep64(k, d0);
          for (int i = 0; i < 64; i++)
            CHECK(((bits >> i) & 1) == (keel::philox_draw(seed, stream, d0 + i) >= t ? 1u : 0u));
        }
}
#endif

// Every level's dropout kernels equal the scalar ones bit for bit, for any thread count.
static void test_kernels() {
  const keel_kernels* ref = keel_kernels_for(KEEL_ISA_SCALAR);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  const int64_t counts[] = {0, 1, 3, 15, 16, 17, 63, 64, 65, 127, 1000, 65535, 65536, 65537, 140001};
  const uint64_t offsets[] = {0, 1, 3, 5, 16, 61, (1ull << 34) + 3};
  const double ps[] = {0.0, 0.15, 0.5, 1.0};
  for (int isa = KEEL_ISA_SCALAR; isa <= KEEL_ISA_NEON; isa++) {
    const keel_kernels* k = keel_test_level((keel_isa)isa);
    if (!k) continue;
    for (int threads : keel_test_threads({1, 2, 3, 4})) {
      keel_set_num_threads(threads);
      for (int64_t count : counts)
        for (uint64_t offset : offsets)
          for (double p : ps) {
            if (count > 70000 && offset != 3 && offset != offsets[6]) continue;  // keep the run short
            context = "dropout isa " + std::to_string(isa) + " threads " + std::to_string(threads) + " count " +
                      std::to_string(count) + " offset " + std::to_string(offset) + " p " + std::to_string(p) +
                      " (" + k->dropout_forward_variant + ")";
            std::vector<float> x(count + 1), y(count + 1, 7.0f), yr(count + 1, 7.0f);
            for (auto& v : x) v = dist(rng);
            if (count > 2) x[1] = NAN, x[2] = INFINITY;
            keel_dropout_params prm{count, 1, p, 99, 5, offset};
            k->dropout_forward(y.data(), x.data(), &prm);
            ref->dropout_forward(yr.data(), x.data(), &prm);
            CHECK(memcmp(y.data(), yr.data(), sizeof(float) * (count + 1)) == 0);
            k->dropout_backward(y.data(), x.data(), &prm);
            CHECK(memcmp(y.data(), yr.data(), sizeof(float) * (count + 1)) == 0);
            std::vector<uint8_t> m(count + 1, 9), mr(count + 1, 9);
            k->dropout_mask(m.data(), &prm);
            ref->dropout_mask(mr.data(), &prm);
            CHECK(m == mr);
            if (count > 70000) continue;
            // dropout1d: rows of several lengths.
            for (int64_t L : {1, 2, 5, 16, 37}) {
              const int64_t rows = count / L + 1, n = rows * L;
              std::vector<float> x1(n + 1), y1(n + 1, 7.0f), y1r(n + 1, 7.0f);
              for (auto& v : x1) v = dist(rng);
              keel_dropout_params q{rows, L, p, 3, 8, offset};
              k->dropout1d_forward(y1.data(), x1.data(), &q);
              ref->dropout1d_forward(y1r.data(), x1.data(), &q);
              CHECK(memcmp(y1.data(), y1r.data(), sizeof(float) * (n + 1)) == 0);
              k->dropout1d_backward(y1.data(), x1.data(), &q);
              CHECK(memcmp(y1.data(), y1r.data(), sizeof(float) * (n + 1)) == 0);
              std::vector<uint8_t> m1(rows + 1, 9), m1r(rows + 1, 9);
              k->dropout1d_mask(m1.data(), &q);
              ref->dropout1d_mask(m1r.data(), &q);
              CHECK(m1 == m1r);
            }
          }
    }
  }
  keel_set_num_threads(1);
}

// Outputs of 16 MiB and more take the AVX-512 variant's non-temporal store path (with an alignment
// peel): check it, with outputs at two alignments, against the scalar variant.
static void test_large() {
  const keel_kernels* ref = keel_kernels_for(KEEL_ISA_SCALAR);
  const int64_t count = (16 << 20) / 4 + 77;
  std::vector<float> x(count), yr(count + 1), y(count + 1);
  for (int64_t i = 0; i < count; i++) x[i] = (float)((i * 7919) % 1000) - 500.0f;
  keel_dropout_params prm{count, 1, 0.15, 1234, 0, 3};
  ref->dropout_forward(yr.data(), x.data(), &prm);
  for (int isa = KEEL_ISA_AVX2; isa <= KEEL_ISA_NEON; isa++) {
    const keel_kernels* k = keel_test_level((keel_isa)isa);
    if (!k) continue;
    for (int threads : keel_test_threads({1, 3})) {
      keel_set_num_threads(threads);
      for (int shift : {0, 1}) {
        context = std::string("large ") + k->dropout_forward_variant + " threads " + std::to_string(threads) +
                  " shift " + std::to_string(shift);
        k->dropout_forward(y.data() + shift, x.data(), &prm);
        CHECK(memcmp(y.data() + shift, yr.data(), sizeof(float) * count) == 0);
      }
    }
  }
  keel_set_num_threads(1);
}

int main() {
  check_print_limit = 20;  // a broken kernel fails thousands of cases; the first ones say enough
  if (!keel_test_levels_valid()) return 2;
#ifdef KEEL_TEST_X86
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) test_keep8();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    test_keep16();
#endif
  test_kernels();
  test_large();
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("dropout_tests: ok\n");
  return 0;
}
