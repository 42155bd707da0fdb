// batchnorm1d, neon variants: not written yet (the scalar variant serves this level).
#include "batchnorm1d.h"
