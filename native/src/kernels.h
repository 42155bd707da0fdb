// Every kernel family's variants and registration functions. Names say dtype, op and ISA (XNNPACK
// style): keel::f32_conv1d_forward__avx2. Each family's <family>-dispatch.cc (baseline flags) picks
// its variants per CPU level; KEEL_HAVE_<ISA> says which ISA translation units were built.
#ifndef KEEL_KERNELS_H_
#define KEEL_KERNELS_H_

#include "batchnorm1d/batchnorm1d.h"
#include "conv1d/conv1d.h"
#include "dropout/dropout.h"
#include "fused/fused.h"
#include "gather/gather.h"
#include "linear/linear.h"
#include "optim/optim.h"
#include "relu/relu.h"

#endif  // KEEL_KERNELS_H_
