// dropout, avx2 variants: not written yet (the scalar variant serves this level).
#include "dropout.h"
