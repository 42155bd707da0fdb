/**
 * The library's one source of randomness: initialisation, randn/rand, dropout masks and shuffles all
 * draw from Philox4x32-10 under the global seed set by manualSeed(). Every call that needs random
 * numbers takes the next stream id, so a program's random numbers are a pure function of the seed
 * and the order of its random calls — on either backend and for any thread count.
 *
 * Work that awaits between its random calls — fit on the caller's thread, Monte-Carlo predict, the
 * learning-rate finder — draws from an OwnGenerator instead: each synchronous stretch of it (a
 * training step, a batch's passes) runs in generator.run(fn), which puts that generator in the global
 * one's place and back. Code that runs in the gaps (another model's predict, a request handler
 * calling randn) neither draws from it nor moves it, so results stay a function of the seed however
 * such work interleaves. (Node's AsyncLocalStorage would follow the awaits by itself, but on Node 20
 * and 22, once used, it adds work to every promise of the host process: 0.13 µs an await, measured on
 * Node 20, a cost a library should not put on the servers it runs in.)
 */
import { PhiloxDraws } from '../ref/philox.js';
import { MAX_ELEMENTS, showValue } from './shape.js';
import { OptionError, ShapeError } from '../errors.js';

const DEFAULT_SEED = 0x6b65656c; // "keel"

/** The generator's position: the seed and the next stream id (to put it back with setGeneratorState). */
export interface GeneratorState {
  seed: number;
  stream: number;
}

const generator: GeneratorState = { seed: DEFAULT_SEED, stream: 0 };

function checkSeed(where: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new OptionError(`${where}: seed must be an integer in [0, 2^53 - 1], got ${showValue(value)}`);
  }
}

/** Seeds every random thing in keel (init, randn/rand, dropout, shuffles); integer in [0, 2^53 - 1]. */
export function manualSeed(value: number): void {
  checkSeed('manualSeed', value);
  generator.seed = value;
  generator.stream = 0;
}

/** The current seed. */
export function initialSeed(): number {
  return generator.seed;
}

/** Where the global generator is now. */
export function generatorState(): GeneratorState {
  return { seed: generator.seed, stream: generator.stream };
}

/** Puts the global generator back where generatorState() saw it. */
export function setGeneratorState(state: GeneratorState): void {
  generator.seed = state.seed;
  generator.stream = state.stream;
}

/**
 * A generator of its own, for work that awaits between its random calls (see the file header): what
 * its runs draw, in order, is what they would draw after manualSeed(seed).
 * @internal
 */
export class OwnGenerator {
  private readonly state: GeneratorState;

  constructor(seed: number) {
    checkSeed('OwnGenerator', seed);
    this.state = { seed, stream: 0 };
  }

  /** Where this generator is: what a backup of the run keeps (BackupAndRestore). */
  position(): GeneratorState {
    return { ...this.state };
  }

  /** Puts this generator where position() saw it, on a generator of the same seed. */
  moveTo(state: GeneratorState): void {
    if (state.seed !== this.state.seed || !Number.isSafeInteger(state.stream) || state.stream < 0) {
      throw new OptionError(`OwnGenerator.moveTo: expected seed ${this.state.seed} and a stream id in [0, 2^53 - 1], got seed ${showValue(state.seed)} and stream ${showValue(state.stream)}`);
    }
    this.state.stream = state.stream;
  }

  /** Runs fn, which must not await, with this generator in the global one's place; the global one is put back after, even on a throw. */
  run<T>(fn: () => T): T {
    const outer = generatorState();
    setGeneratorState(this.state);
    try {
      return fn();
    } finally {
      Object.assign(this.state, generatorState());
      setGeneratorState(outer);
    }
  }
}

/** A fresh (seed, stream) pair: the randomness of one call (a dropout mask, one init, one shuffle). */
export function takeStream(): { seed: number; stream: number } {
  return { seed: generator.seed, stream: generator.stream++ };
}

/** n uniform numbers in [0, 1), each from the top 24 bits of one draw (exact float32 values). */
export function uniforms(n: number): Float64Array {
  const { seed: s, stream } = takeStream();
  const draws = new PhiloxDraws(s, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (draws.draw(i) >>> 8) / 16777216;
  return out;
}

/** n standard normal numbers (Box–Muller on pairs of draws in (0, 1)). */
export function normals(n: number): Float64Array {
  const { seed: s, stream } = takeStream();
  const draws = new PhiloxDraws(s, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = (draws.draw(2 * i) + 0.5) / 4294967296, u2 = (draws.draw(2 * i + 1) + 0.5) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates); n a non-negative integer that fits one tensor. */
export function randperm(n: number): Int32Array {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new OptionError(`randperm: n must be a non-negative integer, got ${showValue(n)}`);
  // The draws are a Float64Array of n: twice a tensor's bytes per element, so half MAX_ELEMENTS.
  if (n > MAX_ELEMENTS / 2) throw new ShapeError(`randperm: n = ${n} is more than the ${Math.floor(MAX_ELEMENTS / 2)} elements a permutation can hold here`);
  const u = uniforms(n);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}
