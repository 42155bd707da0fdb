// Dropout and Dropout1d, scalar: a port of src/ref/dropout.ts. Draw r (r = 0..count-1) decides
// row r: an element for dropout (length 1), a whole (n, c) channel of `length` elements for
// dropout1d. With keep_r = philox_draw(seed, stream, offset + r) >= threshold(p):
//   forward:  y  = keep ? x  * scale : 0        scale = float32(1 / (1 - p))
//   backward: dx = keep ? dy * scale : 0        (the mask is regenerated, never stored)
#include "keel.h"
#include "dropout.h"
#include "philox.h"

namespace keel {

void u8_dropout_mask__scalar(uint8_t* mask, const keel_dropout_params* p) {
  const uint64_t threshold = dropout_threshold(p->p);
  for (int64_t r = 0; r < p->count; r++)
    mask[r] = philox_draw(p->seed, p->stream, p->offset + (uint64_t)r) >= threshold ? 1 : 0;
}

// Shared by forward and backward: out = keep ? in * scale : 0, row by row.
static void apply_mask(float* out, const float* in, const keel_dropout_params* p) {
  const uint64_t threshold = dropout_threshold(p->p);
  const float scale = dropout_scale(p->p);
  const int64_t L = p->length;
  for (int64_t r = 0; r < p->count; r++) {
    const bool keep = philox_draw(p->seed, p->stream, p->offset + (uint64_t)r) >= threshold;
    for (int64_t l = 0; l < L; l++) out[r * L + l] = keep ? in[r * L + l] * scale : 0.0f;
  }
}

void f32_dropout_forward__scalar(float* y, const float* x, const keel_dropout_params* p) {
  apply_mask(y, x, p);
}

void f32_dropout_backward__scalar(float* dx, const float* dy, const keel_dropout_params* p) {
  apply_mask(dx, dy, p);
}

}  // namespace keel
