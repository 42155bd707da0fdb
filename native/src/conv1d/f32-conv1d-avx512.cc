// conv1d, avx512 variants: not written yet (the scalar variant serves this level).
#include "conv1d.h"
