/*
 * keel kernel C ABI: the one header between the N-API binding (and the C++ tests and benchmarks)
 * and the kernels.
 *
 * Rules every kernel follows:
 *   - arguments are outputs, then inputs, then one params struct;
 *   - outputs are overwritten, never accumulated into;
 *   - kernels never allocate, throw or see N-API types; they trust their arguments, which the
 *     binding (native/binding) has checked against the shapes in the params struct;
 *   - every kernel has a plain-JS twin of the same name and argument order in src/ref/, which is
 *     the definition of what it computes.
 *
 * Sizes are int64_t so that shape arithmetic is done in one signed type; the binding rejects any
 * shape whose element count overflows.
 */
#ifndef KEEL_H_
#define KEEL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- conv1d: input (N, C_in, L_in), weight (C_out, C_in/groups, K), output (N, C_out, L_out) ---- */
typedef struct keel_conv1d_params {
  int64_t batch, in_channels, in_length, out_channels, kernel_size;
  int64_t stride, pad_left, pad_right, dilation, groups;
} keel_conv1d_params;

/* L_out = floor((L_in + pad_left + pad_right - dilation*(K-1) - 1) / stride) + 1 */
int64_t keel_conv1d_out_length(const keel_conv1d_params* p);

typedef void (*keel_conv1d_forward_fn)(float* y, const float* x, const float* w, const float* bias,
                                       const keel_conv1d_params* p);
typedef void (*keel_conv1d_backward_data_fn)(float* dx, const float* dy, const float* w,
                                             const keel_conv1d_params* p);
typedef void (*keel_conv1d_backward_weight_fn)(float* dw, const float* x, const float* dy,
                                               const keel_conv1d_params* p);
typedef void (*keel_conv1d_backward_bias_fn)(float* db, const float* dy, const keel_conv1d_params* p);

/* Convolution with an epilogue on each block of output rows while it is still in cache (the math
 * is in src/ref/conv1d-epilogue.ts); y is bit for bit conv1d_forward's.
 *   conv1d_forward_stats: also mean[c] and the BIASED variance[c] (double) of y over (N, L_out) per
 *     output channel — the BatchNorm batch statistics of a Conv1d -> BatchNorm1d block, so that
 *     bn_relu_dropout_forward_with_stats needs no statistics pass. Per row (n, c), while the row is
 *     still in cache: its mean and sum of squared deviations about that mean (two passes over the
 *     row), merged over n in order with Chan's parallel formula in double (SIMD levels: within up
 *     to 32 sample ranges fixed by the shape, then the ranges in order), never E[y^2] - E[y]^2. The
 *     merge tree depends on the shape only: bitwise identical for any thread count. mean = var = 0
 *     when N*L_out = 0.
 *   conv1d_relu_forward: y = max(conv1d(x, w) + bias, 0) (NaN propagates): the eval block once
 *     BatchNorm is folded into w and bias. */
typedef void (*keel_conv1d_forward_stats_fn)(float* y, double* mean, double* var, const float* x, const float* w,
                                             const float* bias, const keel_conv1d_params* p);

/* ---- batchnorm1d over (N, C) (length 1) or (N, C, L); statistics per channel ---- */
typedef struct keel_batchnorm1d_params {
  int64_t batch, channels, length;
  double eps;
  /* Weight of the new batch statistic in the running average: PyTorch's momentum, or
   * 1/num_batches_tracked when momentum is None (cumulative average). */
  double exponential_average_factor;
} keel_batchnorm1d_params;

/* running_mean/running_var may both be null (track_running_stats=False); weight/bias may be null
 * (affine=False). batch*length must be > 1. */
typedef void (*keel_batchnorm1d_train_forward_fn)(float* y, float* save_mean, float* save_invstd,
                                                  float* running_mean, float* running_var,
                                                  const float* x, const float* weight, const float* bias,
                                                  const keel_batchnorm1d_params* p);
typedef void (*keel_batchnorm1d_eval_forward_fn)(float* y, const float* x, const float* running_mean,
                                                 const float* running_var, const float* weight,
                                                 const float* bias, const keel_batchnorm1d_params* p);

typedef struct keel_batchnorm1d_backward_params {
  int64_t batch, channels, length;
  /* 1: mean/invstd are batch statistics and dx includes the terms through them (training);
   * 0: they are constants (eval with running statistics), dx = dy * weight * invstd. */
  int32_t training;
} keel_batchnorm1d_backward_params;

/* dweight/dbias may be null (not wanted); weight null means affine=False (weight 1). */
typedef void (*keel_batchnorm1d_backward_fn)(float* dx, float* dweight, float* dbias, const float* dy,
                                             const float* x, const float* mean, const float* invstd,
                                             const float* weight,
                                             const keel_batchnorm1d_backward_params* p);

/* ---- dropout: masks from Philox4x32-10; the mask spec is in native/src/dropout/philox.h ---- */
typedef struct keel_dropout_params {
  int64_t count;       /* elements (dropout), or batch*channels (dropout1d: one draw per channel) */
  int64_t length;      /* dropout1d: elements per channel; dropout: 1 */
  double p;            /* drop probability in [0, 1] */
  uint64_t seed;       /* Philox key */
  uint64_t stream;     /* Philox counter high word: one stream per (layer, step) */
  uint64_t offset;     /* index of the first draw within the stream */
} keel_dropout_params;

typedef void (*keel_dropout_mask_fn)(uint8_t* mask, const keel_dropout_params* p);
typedef void (*keel_dropout_forward_fn)(float* y, const float* x, const keel_dropout_params* p);
typedef void (*keel_dropout_backward_fn)(float* dx, const float* dy, const keel_dropout_params* p);

/* ---- relu ---- */
typedef struct keel_eltwise_params { int64_t count; } keel_eltwise_params;
typedef void (*keel_relu_forward_fn)(float* y, const float* x, const keel_eltwise_params* p);
/* dx = y > 0 ? dy : 0, from the forward output y (so an in-place ReLU can be differentiated). */
typedef void (*keel_relu_backward_fn)(float* dx, const float* dy, const float* y,
                                      const keel_eltwise_params* p);

/* ---- linear: x (N, in), weight (out, in), bias (out), y (N, out) ---- */
typedef struct keel_linear_params { int64_t batch, in_features, out_features; } keel_linear_params;
typedef void (*keel_linear_forward_fn)(float* y, const float* x, const float* w, const float* bias,
                                       const keel_linear_params* p);
typedef void (*keel_linear_backward_data_fn)(float* dx, const float* dy, const float* w,
                                             const keel_linear_params* p);
typedef void (*keel_linear_backward_weight_fn)(float* dw, const float* x, const float* dy,
                                               const keel_linear_params* p);
typedef void (*keel_linear_backward_bias_fn)(float* db, const float* dy, const keel_linear_params* p);
/* linear_forward_stats: y bit for bit linear_forward's, and per output feature o (a BatchNorm1d
 * channel of a Linear -> BatchNorm1d block) mean[o] and the BIASED variance[o] (double) of y over
 * the N rows, taken by the task that wrote the column while it is in cache: BatchNorm's two-pass
 * statistics (sums in double over the rows in order, no FMA; mean = var = 0 when N = 0), the
 * numbers bn_relu_dropout_forward would compute itself, so its _with_stats form then needs no
 * statistics pass and gives the same bits. The same at every level and thread count. */
typedef void (*keel_linear_forward_stats_fn)(float* y, double* mean, double* var, const float* x, const float* w,
                                             const float* bias, const keel_linear_params* p);

/* ---- optimiser updates (in place on parameters and state) ---- */
typedef struct keel_adam_params {
  int64_t count;
  /* float32 values of PyTorch's scalars for this step (see src/ref/optim.ts): */
  float beta1, beta2, one_minus_beta1, one_minus_beta2, weight_decay, eps;
  float decay;    /* 1 - lr*weight_decay (decoupled) */
  float c2_sqrt;  /* sqrt(1 - beta2^t) */
  float neg_step; /* -lr / (1 - beta1^t) */
  int32_t decoupled, maximize, amsgrad;
} keel_adam_params;
/* max_exp_avg_sq is null unless amsgrad. */
typedef void (*keel_adam_update_fn)(float* param, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
                                    const float* grad, const keel_adam_params* p);

/* Adam/AdamW over several tensors in one call (multi-tensor apply): one tensor's arrays, and its own
 * count and scalars (step-dependent scalars may differ between tensors). */
typedef struct keel_adam_tensor {
  float* param;
  float* exp_avg;
  float* exp_avg_sq;
  float* max_exp_avg_sq; /* null unless p.amsgrad */
  const float* grad;
  keel_adam_params p;
} keel_adam_tensor;
/* Exactly adam_update on tensors[0], tensors[1], ... in order, bit for bit: each element's update
 * reads and writes that element only, so the order and the split cannot matter as long as no array of
 * one tensor overlaps an output of another (the binding checks). The whole call is one parallel
 * region: every tensor is cut into blocks, numbered across the tensors, so the split depends on the
 * shapes only and small tensors share chunks with large ones. */
typedef void (*keel_adam_update_multi_fn)(const keel_adam_tensor* tensors, int64_t count);

/* SGD (momentum, dampening, Nesterov, coupled weight decay, maximize), PyTorch 1.13's single-tensor
 * order (src/ref/optim.ts sgdUpdate has the float32 arithmetic):
 *   d = ±grad;  d = d + weight_decay·θ (weight_decay != 0)
 *   with a momentum buffer b: b = d (first_step) or b = momentum·b + one_minus_dampening·d;
 *                             d = d + momentum·b (nesterov) or d = b
 *   θ = θ + neg_lr·d */
typedef struct keel_sgd_params {
  int64_t count;
  /* float32 values of PyTorch's scalars: */
  float weight_decay, momentum, one_minus_dampening;
  float neg_lr; /* -lr */
  int32_t nesterov, maximize;
  int32_t first_step; /* the buffer is (re)started from d; its old contents are not read */
} keel_sgd_params;
/* momentum_buffer is null for plain SGD (momentum 0): then momentum, one_minus_dampening, nesterov
 * and first_step are ignored. */
typedef void (*keel_sgd_update_fn)(float* param, float* momentum_buffer, const float* grad, const keel_sgd_params* p);

/* The optimisers' non-finite guard: the index of the first NaN or ±Inf of x[0..count) (an element
 * whose exponent bits are all ones), or -1 if every element is finite. Reads x only. */
typedef int64_t (*keel_nonfinite_index_fn)(const float* x, const keel_eltwise_params* p);

/* ---- gather: the rows of a batch out of a dataset's table ----
 * out[k*row_length .. (k+1)*row_length) = src[indices[k]*row_length ..] for k < rows, each index in
 * [0, src_rows) (the binding checks them all before anything is copied). A copy, so bitwise the
 * source; runs of consecutive indices are one copy. Rows are split between the pool's threads in
 * tasks of about 64 KB: a batch drawn at random from a table much larger than the caches waits on
 * memory latency, and each thread keeps its own misses in flight. */
typedef struct keel_gather_params {
  int64_t rows, row_length, src_rows;
} keel_gather_params;
typedef void (*keel_gather_rows_fn)(float* out, const float* src, const int32_t* indices, const keel_gather_params* p);

/* ---- fused BatchNorm1d -> ReLU -> Dropout over (N, C, L): the tail of a Conv1d block ----
 * The math is in src/ref/fused.ts (the definition); in short, per channel c over its M = N*L values:
 *   training: mean, var, invstd = 1/sqrt(var + eps) as batchnorm1d_train_forward (running stats
 *             updated when given); eval: mean = running_mean, invstd = 1/sqrt(running_var + eps).
 *   save_mean = float(mean), save_invstd = float(invstd); every value below uses these floats:
 *   v    = float((x - save_mean) * save_invstd * w + b)              (double arithmetic)
 *   keep = philox_draw(seed, stream, offset + i) >= floor(p 2^32),  i = (n*C + c)*L + l
 *   y    = keep ? float((v < 0 ? 0 : v) * float32(1/(1-p))) : 0
 * Nothing else is stored: backward recomputes v (so the ReLU mask) and regenerates keep (or, in
 * bn_relu_dropout_backward_with_output, reads both off y):
 *   g    = keep && v > 0 ? float(dy * scale) : 0
 *   dbias = sum g, dweight = sum g xhat, dx = batchnorm1d_backward(g) (training or eval form). */
typedef struct keel_bn_relu_dropout_params {
  int64_t batch, channels, length;
  double eps;                        /* forward only */
  double exponential_average_factor; /* forward only: weight of the batch statistic (momentum) */
  /* 1: batch statistics (forward updates running_mean/var when given);
   * 0: running statistics (forward reads running_mean/var, which must be given, and changes nothing). */
  int32_t training;
  double p;        /* drop probability in [0, 1]; 0 disables dropout (eval) */
  uint64_t seed;   /* Philox key */
  uint64_t stream; /* Philox stream */
  uint64_t offset; /* draw index of element 0 */
} keel_bn_relu_dropout_params;

/* weight/bias may be null (affine=False); running_mean/var may be null when training. y may be x
 * (in place: a channel's statistics are taken before its values are overwritten). */
typedef void (*keel_bn_relu_dropout_forward_fn)(float* y, float* save_mean, float* save_invstd,
                                                float* running_mean, float* running_var, const float* x,
                                                const float* weight, const float* bias,
                                                const keel_bn_relu_dropout_params* p);
/* dweight/dbias may be null (not wanted); weight/bias null mean affine=False. dx must not alias. */
typedef void (*keel_bn_relu_dropout_backward_fn)(float* dx, float* dweight, float* dbias, const float* dy,
                                                 const float* x, const float* mean, const float* invstd,
                                                 const float* weight, const float* bias,
                                                 const keel_bn_relu_dropout_params* p);

/* As bn_relu_dropout_forward with p->training = 1, the batch statistics given instead of taken:
 * batch_mean[c] and the biased batch_var[c] of x (double, e.g. from conv1d_forward_stats). The
 * statistics pass is skipped; invstd, save_mean/save_invstd, the running-stat update (unbiased
 * var*M/(M-1)) and y are computed from them exactly as the training forward does. */
typedef void (*keel_bn_relu_dropout_forward_with_stats_fn)(float* y, float* save_mean, float* save_invstd,
                                                           float* running_mean, float* running_var, const float* x,
                                                           const double* batch_mean, const double* batch_var,
                                                           const float* weight, const float* bias,
                                                           const keel_bn_relu_dropout_params* p);

/* As bn_relu_dropout_backward, given y, the forward's output for these x, statistics, weight and
 * bias: keep && v > 0 holds exactly when y > 0 (y = keep ? float(max(v, 0) * scale) : 0 with
 * scale >= 1, and NaN > 0 is false), so g = y > 0 ? float(dy * scale) : 0 with neither v nor the
 * dropout draws recomputed; dx, dweight and dbias are bn_relu_dropout_backward's bit for bit.
 * p->seed, p->stream and p->offset are not used; bias is not needed. dx must not alias. */
typedef void (*keel_bn_relu_dropout_backward_with_output_fn)(float* dx, float* dweight, float* dbias,
                                                             const float* dy, const float* x, const float* y,
                                                             const float* mean, const float* invstd,
                                                             const float* weight,
                                                             const keel_bn_relu_dropout_params* p);

/* ---- CPU levels and the dispatch table ---- */
typedef enum keel_isa {
  KEEL_ISA_SCALAR = 0,
  KEEL_ISA_AVX2 = 1,   /* AVX2 + FMA, with OS support for YMM state */
  KEEL_ISA_AVX512 = 2, /* AVX-512 F/BW/DQ/VL, with OS support for ZMM and opmask state */
  KEEL_ISA_NEON = 3
} keel_isa;

const char* keel_isa_name(keel_isa isa);
/* Parses "scalar" | "avx2" | "avx512" | "neon"; returns 0 on success. */
int keel_isa_parse(const char* name, keel_isa* out);
/* Whether this CPU and OS can run code of that level. */
int keel_isa_supported(keel_isa isa);
/* The best level this CPU and OS support. */
keel_isa keel_isa_detect(void);

/* One entry per kernel: the function and the name of the variant it is ("scalar", "avx2", ...). */
#define KEEL_KERNEL_LIST(X)                                  \
  X(conv1d_forward, keel_conv1d_forward_fn)                  \
  X(conv1d_backward_data, keel_conv1d_backward_data_fn)      \
  X(conv1d_backward_weight, keel_conv1d_backward_weight_fn)  \
  X(conv1d_backward_bias, keel_conv1d_backward_bias_fn)      \
  X(batchnorm1d_train_forward, keel_batchnorm1d_train_forward_fn) \
  X(batchnorm1d_eval_forward, keel_batchnorm1d_eval_forward_fn)   \
  X(batchnorm1d_backward, keel_batchnorm1d_backward_fn)      \
  X(dropout_mask, keel_dropout_mask_fn)                      \
  X(dropout_forward, keel_dropout_forward_fn)                \
  X(dropout_backward, keel_dropout_backward_fn)              \
  X(dropout1d_mask, keel_dropout_mask_fn)                    \
  X(dropout1d_forward, keel_dropout_forward_fn)              \
  X(dropout1d_backward, keel_dropout_backward_fn)            \
  X(relu_forward, keel_relu_forward_fn)                      \
  X(relu_backward, keel_relu_backward_fn)                    \
  X(linear_forward, keel_linear_forward_fn)                  \
  X(linear_backward_data, keel_linear_backward_data_fn)      \
  X(linear_backward_weight, keel_linear_backward_weight_fn)  \
  X(linear_backward_bias, keel_linear_backward_bias_fn)      \
  X(adam_update, keel_adam_update_fn)                        \
  X(bn_relu_dropout_forward, keel_bn_relu_dropout_forward_fn) \
  X(bn_relu_dropout_backward, keel_bn_relu_dropout_backward_fn) \
  X(sgd_update, keel_sgd_update_fn)                        \
  X(conv1d_forward_stats, keel_conv1d_forward_stats_fn)      \
  X(conv1d_relu_forward, keel_conv1d_forward_fn)             \
  X(bn_relu_dropout_forward_with_stats, keel_bn_relu_dropout_forward_with_stats_fn) \
  X(nonfinite_index, keel_nonfinite_index_fn)                \
  X(adam_update_multi, keel_adam_update_multi_fn)            \
  X(linear_forward_stats, keel_linear_forward_stats_fn)      \
  X(gather_rows, keel_gather_rows_fn)                        \
  X(bn_relu_dropout_backward_with_output, keel_bn_relu_dropout_backward_with_output_fn)

typedef struct keel_kernels {
  keel_isa isa;
#define KEEL_KERNEL_FIELD(name, type) type name; const char* name##_variant;
  KEEL_KERNEL_LIST(KEEL_KERNEL_FIELD)
#undef KEEL_KERNEL_FIELD
} keel_kernels;

/* ---- threads: one pool shared by every kernel; results do not depend on its size ---- */
int keel_num_threads(void);
/* Sets the pool to `threads` threads (the caller's included), 1..1024; returns 0, -1 if out of range,
 * or -2 if the OS refused some threads (the pool then has those it started: see keel_num_threads). */
int keel_set_num_threads(int threads);

/* ---- caches: the sizes some kernels' blocking and store choices come from (native/src/cache.h) ---- */
typedef struct keel_cache_sizes {
  int64_t l2_bytes;               /* one core's L2 */
  int64_t last_level_bytes;       /* the last-level cache (L3, else L2) */
  int64_t streaming_store_bytes;  /* outputs this large or larger are written with streaming stores */
} keel_cache_sizes;
void keel_cache_info(keel_cache_sizes* out);

/* The table for a level: each entry is the best variant compiled for that level, falling back to
 * the scalar one. Returns null if the level is not supported on this CPU/OS. */
const keel_kernels* keel_kernels_for(keel_isa isa);

#ifdef __cplusplus
}
#endif

#endif /* KEEL_H_ */
