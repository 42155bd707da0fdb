// Dropout over outputs past 16 MB, where the AVX-512 kernel may write with streaming stores: its first
// such calls time streaming against ordinary stores and keep the faster for the process
// (native/src/store-choice.h). Every call — the timed ones of either kind and those after — must give
// the reference's bits, into aligned and unaligned outputs, forward and backward alike.
import { describe, expect, it } from 'vitest';
import { nativeSets, refSet } from './helpers/backends.js';
import { fillRandom } from './helpers/compare.js';

const n = (16 << 20) / 4 + 1001; // past the threshold, ending in a partial vector
const params = { count: n, p: 0.15, seed: 21, stream: 3, offset: 6 };

describe.skipIf(nativeSets.length === 0).each(nativeSets)('dropout past the streaming threshold: $name', (native) => {
  it('gives the reference bits on every call, while the stores are measured and after', () => {
    const x = fillRandom(new Float32Array(n), 8) as Float32Array;
    const want = new Float32Array(n);
    refSet.kernels.dropoutForward(want, x, params);
    const wantBytes = Buffer.from(want.buffer);
    const room = new Float32Array(n + 16);
    for (let call = 0; call < 10; call++) {
      const out = room.subarray(call % 3, call % 3 + n); // three alignments of the output
      out.fill(NaN);
      if (call % 2 === 0) native.kernels.dropoutForward(out, x, params);
      else native.kernels.dropoutBackward(out, x, params);
      expect(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(wantBytes), `call ${call}`).toBe(true);
    }
  });
});
