// conv1d, neon variants: not written yet (the scalar variant serves this level).
#include "conv1d.h"
