// fused, neon variants: not written yet (the scalar variant serves this level).
#include "fused.h"
