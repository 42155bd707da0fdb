/**
 * Float32 storage for tensors: large arrays start on a cache line, outputs that a kernel overwrites
 * entirely skip the zero fill, and the backward engine's large temporaries are recycled.
 *
 * Why: a training step allocates several multi-megabyte arrays per layer. `new Float32Array(n)` is
 * zero-filled, and large ones are fresh pages from the OS: on this machine an 8 MB output costs
 * 3-18x the kernel's own write of it (page faults + zeroing, then garbage collection pressure).
 * And Node's allocator returns large buffers 16 bytes past a 64-byte line, so every full-width
 * AVX-512 access straddles two lines (BatchNorm measured 15-20% slower on such arrays). So:
 *  - large arrays are views that start at the buffer's first 64-byte boundary (the addon reports
 *    where it is; without the addon there is nothing to align for);
 *  - emptyFloat32(n): no zero fill, for outputs every element of which is written before anyone
 *    reads it (every kernel, native and reference, is tested to write all of its outputs);
 *  - recycleFloat32(a): the engine returns a gradient array that only it could reach, once the op
 *    consuming it has run (./autograd.ts), fit returns the parameter gradients of the last step
 *    (releaseGrad in ./tensor.ts), Sequential returns its layers' intermediate outputs once nothing
 *    can read them (src/nn/temporaries.ts), and fit, evaluate and predict their batches
 *    (src/train/batches.ts); the next emptyFloat32 of that length reuses it.
 * Only large arrays are aligned and pooled, with a cap on the bytes the pool holds, so an idle model
 * keeps at most POOL_MAX_BYTES alive. When the pool is full, the arrays of lengths nobody has asked
 * for lately (another model, batch size or phase of a long-lived process) make room for new ones.
 */
import { loadedBackend } from '../backend/index.js';

/**
 * Arrays shorter than this (4 KB, a page) are neither pooled nor taken from the pool. Fresh arrays of
 * a few pages are not cheap either: glibc gives back the top of its heap when they are freed, so the
 * next one faults its pages in again. The §1 backbone's convolution weight gradients (48 KB) took
 * 90 µs each that way (12 page faults), 0.18 ms of each fit step, until they were pooled too
 * (AMD EPYC Zen 5: 12 page faults a step, now 4-7). Smaller arrays cost a microsecond or two.
 */
const POOL_MIN_LENGTH = 1 << 10;
/** Most bytes the pool holds; beyond it a recycled array is left to the garbage collector. */
const POOL_MAX_BYTES = 64 << 20;

/**
 * A length not requested or handed back in this many poolable requests is stale: a training step
 * makes tens of them, so its arrays belong to something that has ended. Only stale lengths are
 * evicted: a working set larger than the pool keeps what came back first, rather than each array
 * handed back evicting one the next request needs.
 */
const STALE_REQUESTS = 1024;

/** Pooled arrays by length, with the clock reading of the length's last request or return. */
const pool = new Map<number, { arrays: Float32Array[]; used: number }>();
let pooledBytes = 0;
/** Poolable requests so far: the clock that tells stale lengths. */
let clock = 0;
/** Requests of poolable length since the last reset: served from the pool, or freshly allocated. */
const stats = { hits: 0, misses: 0, freshBytes: 0 };

const LINE = 64;
const addon = loadedBackend.addon;
/** The arrays this module made: the only ones it takes back (a view may share its buffer otherwise). */
const issued = new WeakSet<Float32Array>();
/** The arrays in the pool now: one handed back twice must not be handed out twice. */
const pooled = new WeakSet<Float32Array>();

/** A large array starting on a cache line; uninitialised unless `zeroed`. */
function allocLarge(n: number, zeroed: boolean): Float32Array {
  const slack = addon ? LINE / Float32Array.BYTES_PER_ELEMENT - 1 : 0;
  const bytes = (n + slack) * Float32Array.BYTES_PER_ELEMENT;
  // Node's allocator skips the zero fill for allocUnsafeSlow (never a slice of its shared pool).
  const buffer = zeroed ? new ArrayBuffer(bytes) : Buffer.allocUnsafeSlow(bytes).buffer;
  const skip = addon ? addon.alignmentOffset(buffer) : 0;
  const a = new Float32Array(buffer, skip % Float32Array.BYTES_PER_ELEMENT === 0 ? skip : 0, n);
  issued.add(a);
  return a;
}

/** A Float32Array of length n with unspecified contents: the caller must write every element. */
export function emptyFloat32(n: number): Float32Array {
  if (n < POOL_MIN_LENGTH) return new Float32Array(n);
  clock++;
  const entry = pool.get(n);
  if (entry) {
    const reuse = entry.arrays.pop()!;
    if (entry.arrays.length === 0) pool.delete(n);
    else entry.used = clock;
    pooled.delete(reuse);
    pooledBytes -= reuse.byteLength;
    stats.hits++;
    return reuse;
  }
  stats.misses++;
  stats.freshBytes += n * Float32Array.BYTES_PER_ELEMENT;
  return allocLarge(n, false);
}

/** A zero-filled Float32Array of length n (large ones aligned like emptyFloat32's). */
export function zerosFloat32(n: number): Float32Array {
  return n < POOL_MIN_LENGTH ? new Float32Array(n) : allocLarge(n, true);
}

/**
 * Hands a dead array back for reuse. The caller guarantees that nothing else references it or any
 * view of its buffer (the engine calls this only for gradients it allocated and consumed).
 */
export function recycleFloat32(a: Float32Array): void {
  if (a.length < POOL_MIN_LENGTH || !issued.has(a) || pooled.has(a)) return;
  if (pooledBytes + a.byteLength > POOL_MAX_BYTES) evictStale(a.byteLength);
  if (pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  pooled.add(a);
  const entry = pool.get(a.length);
  if (entry) {
    entry.arrays.push(a);
    entry.used = clock;
  } else {
    pool.set(a.length, { arrays: [a], used: clock });
  }
  pooledBytes += a.byteLength;
}

/** Drops the arrays of stale lengths, oldest pooled length first, until `bytes` more fit. */
function evictStale(bytes: number): void {
  for (const [length, entry] of pool) {
    if (pooledBytes + bytes <= POOL_MAX_BYTES) return;
    if (clock - entry.used <= STALE_REQUESTS) continue;
    drop(entry.arrays);
    pool.delete(length);
  }
}

/** Forgets pooled arrays (the caller removes their entry): the garbage collector takes them. */
function drop(arrays: Float32Array[]): void {
  for (const a of arrays) {
    pooled.delete(a);
    pooledBytes -= a.byteLength;
  }
}

/** Drops every pooled array (for tests, and for callers that want the memory back now). */
export function clearStoragePool(): void {
  for (const entry of pool.values()) drop(entry.arrays);
  pool.clear();
}

/** Bytes the pool currently holds. */
export function storagePoolBytes(): number {
  return pooledBytes;
}

/**
 * How emptyFloat32's requests of poolable length (4 KB and more) were served since the last
 * resetStoragePoolStats(): from the pool (hits) or by a fresh allocation (misses, freshBytes). The
 * bench reports the hit rate of a training step (npm run bench:e2e -- --profile).
 */
export function storagePoolStats(): { hits: number; misses: number; freshBytes: number } {
  return { ...stats };
}

/** Zeroes the counters of storagePoolStats(). */
export function resetStoragePoolStats(): void {
  stats.hits = stats.misses = stats.freshBytes = 0;
}
