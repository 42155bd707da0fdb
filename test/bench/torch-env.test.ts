// The PyTorch side of the benches runs with glibc keeping the memory it frees (bench/torch.ts,
// torchEnv): otherwise PyTorch's fresh outputs fault every page in again on each call, a cost of the
// VM rather than of PyTorch's kernels. A variable the user has set wins.
import { afterEach, describe, expect, it } from 'vitest';
import { torchEnv, torchEnvText } from '../../bench/torch.js';

const saved = process.env.MALLOC_MMAP_MAX_;
afterEach(() => {
  if (saved === undefined) delete process.env.MALLOC_MMAP_MAX_;
  else process.env.MALLOC_MMAP_MAX_ = saved;
});

describe('torchEnv', () => {
  it('keeps freed memory in the heap, and passes the rest of the environment through', () => {
    delete process.env.MALLOC_MMAP_MAX_;
    const env = torchEnv();
    expect(env.MALLOC_MMAP_MAX_).toBe('0');
    expect(Number(env.MALLOC_TRIM_THRESHOLD_)).toBe(4 * 2 ** 30);
    expect(env.PATH).toBe(process.env.PATH);
    expect(torchEnvText()).toBe('glibc MALLOC_MMAP_MAX_=0, MALLOC_TRIM_THRESHOLD_=4294967296');
  });

  it('leaves a value the user set', () => {
    process.env.MALLOC_MMAP_MAX_ = '65536';
    expect(torchEnv().MALLOC_MMAP_MAX_).toBe('65536');
  });
});
