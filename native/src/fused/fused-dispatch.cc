// Fused-block variants per CPU level: not written yet.
#include "fused.h"
