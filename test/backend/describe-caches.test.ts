// The cache line of `keel info` and the bench header: sizes as the addon reports them, and a last level
// no larger than the L2 said to be the L2 (the OS reported no L3), not passed off as an L3 of that size.
import { describe, expect, it } from 'vitest';
import { describeCaches } from '../../src/backend/loader.js';

const MB = 1 << 20;

describe('describeCaches', () => {
  it('gives each size', () => {
    expect(describeCaches({ l2Bytes: MB, lastLevelBytes: 32 * MB, streamingStoreBytes: 8 * MB })).toBe('L2 1 MB per core, last level 32 MB; streaming stores from 8 MB');
    expect(describeCaches({ l2Bytes: 512 * 1024, lastLevelBytes: 16 * MB, streamingStoreBytes: 8 * MB })).toBe('L2 512 KB per core, last level 16 MB; streaming stores from 8 MB');
  });

  it('says when no cache larger than the L2 was reported', () => {
    expect(describeCaches({ l2Bytes: MB, lastLevelBytes: MB, streamingStoreBytes: 8 * MB })).toBe('L2 1 MB per core, last level the L2 (no larger cache reported); streaming stores from 8 MB');
  });
});
