// Fused-block kernel variants (one file per ISA) and the family's dispatch registration.
#ifndef KEEL_FUSED_H_
#define KEEL_FUSED_H_

#include "keel.h"

namespace keel {}  // namespace keel

#endif  // KEEL_FUSED_H_
