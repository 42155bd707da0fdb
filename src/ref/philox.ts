/**
 * Philox4x32-10 and the dropout mask rule. This comment is the specification; the C++ port is
 * native/src/dropout/philox.h and every SIMD path must produce the same bits.
 *
 * Generator: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
 * 1, 2, 3", SC'11): 10 rounds, multipliers 0xD2511F53 / 0xCD9E8D57, Weyl key increments
 * 0x9E3779B9 / 0xBB67AE85 applied before every round but the first. Known answer:
 * counter (0, 0, 0, 0), key (0, 0) -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
 *
 * Draws. A mask is a pure function of (seed, stream, draw index d):
 *   key     = (seed mod 2^32, floor(seed / 2^32))
 *   counter = (b mod 2^32, floor(b / 2^32), stream mod 2^32, floor(stream / 2^32)),  b = floor(d / 4)
 *   draw d  = word (d mod 4) of philox4x32_10(counter, key)         - 32 bits per draw
 * A kernel call with params.offset = o makes draws o, o + 1, ..., so a tensor can be split into
 * pieces (by thread, by SIMD lane, by call) without changing its mask. Callers give each
 * (layer, step) its own stream.
 *
 * Keep rule. threshold = floor(p * 2^32), an integer in [0, 2^32] (exact: p * 2^32 only shifts the
 * exponent). Draw d is kept iff draw >= threshold, so P(keep) = 1 - threshold / 2^32, within 2^-32
 * of 1 - p; p = 0 keeps everything, p = 1 keeps nothing.
 *
 * Values. A kept value is multiplied by scale = float32(1 / (1 - p)) in float32 arithmetic; a
 * dropped value is +0 (also when the input is NaN or infinite). With p = 1 every output is 0.
 * Dropout makes one draw per element in row-major order; Dropout1d one draw per (n, c) channel,
 * draw index n * C + c, shared by all L elements of that channel.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

/** High 32 bits of the 64-bit product of two uint32s (JS numbers lose bits past 2^53). */
function mulhi(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const lh = aL * bH, hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox4x32-10 of counter (c0..c3) and key (k0, k1), all uint32; returns the four output words. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): [number, number, number, number] {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  return [c0, c1, c2, c3];
}

/** Split a non-negative integer below 2^53 into (low, high) uint32 words. */
function split(v: number): [number, number] {
  return [v >>> 0, Math.floor(v / TWO32) >>> 0];
}

/**
 * Draws d = offset, offset + 1, ... of one (seed, stream): a generator for the reference kernels,
 * computing each Philox block once for its four draws.
 */
export class PhiloxDraws {
  private block = -1;
  private words: number[] = [];
  private readonly key: [number, number];
  private readonly stream: [number, number];

  constructor(seed: number, stream: number) {
    this.key = split(seed);
    this.stream = split(stream);
  }

  draw(d: number): number {
    const b = Math.floor(d / 4);
    if (b !== this.block) {
      const [b0, b1] = split(b);
      this.words = philox4x32(b0, b1, this.stream[0], this.stream[1], this.key[0], this.key[1]);
      this.block = b;
    }
    return this.words[d % 4]!;
  }
}

/** threshold = floor(p * 2^32): draws >= threshold are kept. */
export function dropoutThreshold(p: number): number {
  return Math.floor(p * TWO32);
}

/** scale = float32(1 / (1 - p)) for survivors; 0 when p = 1 (nothing survives). */
export function dropoutScale(p: number): number {
  return p < 1 ? Math.fround(1 / (1 - p)) : 0;
}
