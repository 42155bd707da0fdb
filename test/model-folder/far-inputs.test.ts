// farChannels on a WindowDataset (what keel eval, keel predict and ModelFolder.predict pass) gives each channel's mean |z| over every window, as on the windows cut whole.
import { describe, expect, it } from 'vitest';
import { slidingWindows, type SlidingWindowsOptions } from '../../src/data/windows.js';
import { farChannels } from '../../src/model-folder/far-inputs.js';
import { codedTable } from '../data/series-fixtures.js';

describe('farChannels on windows cut per batch', () => {
  const cases: Array<[string, number[], SlidingWindowsOptions]> = [
    ['stride 1', [9, 12, 7], { window: 5 }],
    ['stride 3, a short unit skipped', [11, 2, 30], { window: 4, stride: 3 }],
    ["last windows, a short unit padded", [9, 3, 14], { window: 6, last: true, pad: 'edge' }],
    ["every window, a short unit padded", [9, 3, 14], { window: 6, pad: 'edge' }],
  ];
  for (const [name, lengths, options] of cases) {
    it(`${name}: the mean |z| of each channel over the windows (every coded value is far: over 10)`, () => {
      const w = slidingWindows(codedTable(lengths), options);
      const whole = farChannels(w.x, w.columns), cut = farChannels(w.toDataset(), w.columns);
      expect(whole.map((ch) => ch.name)).toEqual(['a', 'b', 'c']);
      expect(cut.map((ch) => ch.name)).toEqual(['a', 'b', 'c']);
      cut.forEach((ch, c) => expect(ch.z).toBeCloseTo(whole[c]!.z, 9));
    });
  }
});
