/**
 * The PyTorch-weights example (examples/load-pytorch-weights.ts): a backbone trained and saved by
 * PyTorch (examples/data/make_pytorch_weights.py) loads with strict keys into keel's
 * nn.conv1dBackbone and reproduces PyTorch's eval output within float32 rounding; a file that does
 * not fit the model (a key missing, a shape that differs) is refused with keel's state_dict error.
 */
import { describe, expect, it } from 'vitest';
import { ARCHITECTURE, loadPytorchWeights, WEIGHTS } from '../../examples/load-pytorch-weights.js';
import { load, nn, type StateDict } from 'keel';

describe('load-pytorch-weights example', () => {
  it("loads PyTorch's state dict and matches PyTorch's eval output", async () => {
    const r = await loadPytorchWeights();
    expect(r.keys).toBe(16); // 2 × (conv weight + 5 BatchNorm entries) + 2 × (linear weight, bias)
    expect(r.output.shape).toEqual([8, 1]);
    // The outputs differ from sample to sample (a constant output would hide a wrong load)...
    expect(Math.max(...r.output.data) - Math.min(...r.output.data)).toBeGreaterThan(0.1);
    // ...and agree with PyTorch up to float32 rounding of reordered sums.
    const scale = Math.max(1, ...[...r.output.data].map(Math.abs));
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5 * scale);
    // The loaded buffers are PyTorch's trained ones: 20 steps, running statistics moved off 0 and 1.
    const state = r.model.stateDict();
    expect(Number(state['1.num_batches_tracked']!.data[0])).toBe(20);
    expect(Math.max(...[...state['1.running_mean']!.data].map((v) => Math.abs(Number(v))))).toBeGreaterThan(0.01);
  });

  it('refuses a file with a missing key or a mismatched shape, changing nothing', async () => {
    const state = await load(WEIGHTS);
    const model = nn.conv1dBackbone(ARCHITECTURE);
    const before = model.stateDict()['0.weight']!.data.slice();

    const { ['1.running_var']: _dropped, ...missing } = state;
    expect(() => model.loadStateDict(missing as StateDict)).toThrow(/Error\(s\) in loading state_dict for Sequential[\s\S]*Missing key\(s\): "1\.running_var"/);

    const wider = nn.conv1dBackbone({ ...ARCHITECTURE, headHidden: 32 });
    expect(() => wider.loadStateDict(state)).toThrow(/size mismatch for 9\.weight: copying a param with shape \(16, 128\) from checkpoint, the shape in current model is \(32, 128\)/);

    expect(model.stateDict()['0.weight']!.data).toEqual(before);
  });
});
