// StoreChoice (native/src/store-choice.h): the first 2 * kTrials calls alternate ordinary and
// streaming stores, every later call uses the kind measured faster per byte, and a tie keeps ordinary
// stores. The timed calls here sleep, so the faster kind is known.
#include <chrono>
#include <thread>
#include <vector>

#include "check.h"
#include "store-choice.h"

namespace {

// Runs `calls` calls through a fresh StoreChoice; a call of the `slow` kind sleeps 3 ms.
std::vector<int> kinds_used(bool slow, int calls, int* decided) {
  keel::StoreChoice choice;
  std::vector<int> kinds;
  for (int i = 0; i < calls; i++) {
    choice.run(1 << 20, [&](bool stream) {
      kinds.push_back(stream ? 1 : 0);
      if (stream == slow) std::this_thread::sleep_for(std::chrono::milliseconds(3));
    });
  }
  *decided = choice.decided();
  return kinds;
}

}  // namespace

int main() {
  const int trials = 2 * keel::StoreChoice::kTrials;
  for (const bool slow_streaming : {true, false}) {
    context = slow_streaming ? "streaming slower" : "ordinary slower";
    int decided = -2;
    const std::vector<int> kinds = kinds_used(slow_streaming, trials + 4, &decided);
    for (int i = 0; i < trials; i++) CHECK(kinds[i] == i % 2);  // alternating trials, ordinary first
    const int faster = slow_streaming ? 0 : 1;
    for (int i = trials; i < trials + 4; i++) CHECK(kinds[i] == faster);
    CHECK(decided == faster);
  }

  context = "undecided until every trial is in";
  keel::StoreChoice choice;
  CHECK(choice.decided() == -1);
  for (int i = 0; i < trials - 1; i++) choice.record(i % 2 == 1, 1.0);
  CHECK(choice.decided() == -1);
  choice.record(true, 1.0);
  CHECK(choice.decided() == 0);  // a tie keeps ordinary stores

  context = "the best call of each kind decides";
  keel::StoreChoice best;
  for (const double ns : {5.0, 0.5, 5.0}) best.record(true, ns);  // one fast streaming call
  for (const double ns : {1.0, 1.0, 1.0}) best.record(false, ns);
  CHECK(best.decided() == 1);

  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  printf("store_choice_tests: ok\n");
  return 0;
}
