// Fused Conv1d → BatchNorm1d → ReLU → Dropout kernels, scalar: not written yet.
#include "fused.h"
