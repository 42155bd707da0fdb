// batchnorm1d, avx512 variants: not written yet (the scalar variant serves this level).
#include "batchnorm1d.h"
