/**
 * Float32 storage for op outputs that a kernel overwrites entirely, and recycling of the backward
 * engine's large temporaries.
 *
 * Why: a training step allocates several multi-megabyte arrays per layer. `new Float32Array(n)` is
 * zero-filled, and large ones are fresh pages from the OS: on this machine an 8 MB output costs
 * 3-18x the kernel's own write of it (page faults + zeroing, then garbage collection pressure).
 * Two remedies, both invisible to users:
 *  - emptyFloat32(n): no zero fill, for outputs every element of which is written before anyone
 *    reads it (every kernel, native and reference, is tested to write all of its outputs);
 *  - recycleFloat32(a): the engine returns a gradient array that only it could reach, once the op
 *    consuming it has run (./autograd.ts); the next emptyFloat32 of that length reuses it.
 * Only large arrays are pooled (small ones are cheap to allocate), with a cap on the bytes held, so
 * an idle model keeps at most POOL_MAX_BYTES alive.
 */

/** Arrays shorter than this (256 KB) are neither pooled nor taken from the pool. */
const POOL_MIN_LENGTH = 1 << 16;
/** Most bytes the pool holds; beyond it a recycled array is left to the garbage collector. */
const POOL_MAX_BYTES = 64 << 20;

const pool = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/** A Float32Array of length n with unspecified contents: the caller must write every element. */
export function emptyFloat32(n: number): Float32Array {
  if (n >= POOL_MIN_LENGTH) {
    const reuse = pool.get(n)?.pop();
    if (reuse) {
      pooledBytes -= reuse.byteLength;
      return reuse;
    }
    // Uninitialised memory (Node's allocator skips the zero fill): the caller overwrites it all.
    const buf = Buffer.allocUnsafeSlow(n * Float32Array.BYTES_PER_ELEMENT);
    return new Float32Array(buf.buffer, buf.byteOffset, n);
  }
  return new Float32Array(n);
}

/**
 * Hands a dead array back for reuse. The caller guarantees that nothing else references it or any
 * view of its buffer (the engine calls this only for gradients it allocated and consumed).
 */
export function recycleFloat32(a: Float32Array): void {
  if (a.length < POOL_MIN_LENGTH || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  const list = pool.get(a.length);
  if (list) list.push(a);
  else pool.set(a.length, [a]);
  pooledBytes += a.byteLength;
}

/** Drops every pooled array (for tests, and for callers that want the memory back now). */
export function clearStoragePool(): void {
  pool.clear();
  pooledBytes = 0;
}

/** Bytes the pool currently holds. */
export function storagePoolBytes(): number {
  return pooledBytes;
}
