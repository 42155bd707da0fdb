// linear, avx512 variants: not written yet (the scalar variant serves this level).
#include "linear.h"
