/**
 * Golden tests against PyTorch 1.13 (test/fixtures/optim/optim.json, written by
 * make_optim_fixtures.py): the same parameters and gradients replayed through keel's optimisers and
 * schedulers.
 *
 * Tolerances: parameters rtol 1e-6 (+ atol 1e-7 for values near 0) — keel follows PyTorch's float32
 * op sequence, and in practice agrees to the last bit (asserted: all within 1 ulp, >= 99% identical); LRs are
 * float64 scalar arithmetic in PyTorch's order, rtol 1e-9 (libm cos/pow may differ in the last bit).
 */
import { describe, expect, it } from 'vitest';
import type { OptimizerStateDict } from '../../src/optim/index.js';
import { type OneCycleLR, ReduceLROnPlateau } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { buildOptimizer, buildScheduler, expectAllClose, loadFixture, makeParams, ulpDiff } from './helpers.js';

const fx = loadFixture();
const PARAM_RTOL = 1e-6, PARAM_ATOL = 1e-7;
const LR_RTOL = 1e-9, LR_ATOL = 1e-15;
const TORCH_ONLY = new Set(['foreach', 'differentiable', 'capturable', 'fused']);

function setGrads(params: Tensor[], step: number): void {
  params.forEach((p, i) => {
    const g = fx.grads[step]![i];
    p.grad = g ? new Tensor(Float32Array.from(g), p.shape) : null;
  });
}

/** Compares keel's state dict with PyTorch's (without PyTorch's implementation flags). */
function expectStateDictsMatch(what: string, got: OptimizerStateDict, want: OptimizerStateDict): void {
  expect(got.param_groups.length, `${what}: groups`).toBe(want.param_groups.length);
  want.param_groups.forEach((wg, gi) => {
    const gg = got.param_groups[gi]!;
    const keys = Object.keys(wg).filter((k) => !TORCH_ONLY.has(k)).sort();
    expect(Object.keys(gg).sort(), `${what}: param_groups[${gi}] keys`).toEqual(keys);
    for (const k of keys) {
      const w = wg[k], g = gg[k];
      if (typeof w === 'number') expectAllClose(`${what}: param_groups[${gi}].${k}`, [g as number], [w], LR_RTOL, LR_ATOL);
      else if (Array.isArray(w) && k !== 'params') expectAllClose(`${what}: param_groups[${gi}].${k}`, g as number[], w as number[], LR_RTOL, LR_ATOL);
      else expect(g, `${what}: param_groups[${gi}].${k}`).toEqual(w);
    }
  });
  expect(Object.keys(got.state).sort(), `${what}: state keys`).toEqual(Object.keys(want.state).sort());
  for (const [idx, ws] of Object.entries(want.state)) {
    const gs = got.state[idx]!;
    expect(Object.keys(gs).sort(), `${what}: state[${idx}] keys`).toEqual(Object.keys(ws).sort());
    for (const [k, w] of Object.entries(ws)) {
      const g = gs[k];
      if (w === null || typeof w === 'number') expect(g, `${what}: state[${idx}].${k}`).toBe(w);
      else expectAllClose(`${what}: state[${idx}].${k}`, g as number[], w, PARAM_RTOL, PARAM_ATOL);
    }
  }
}

describe('optimisers against PyTorch 1.13', () => {
  it(`fixture is from PyTorch (${fx.producer})`, () => {
    expect(fx.producer).toMatch(/^torch 1\.13/);
    expect(fx.optimizers.length).toBeGreaterThan(10);
  });

  let maxUlps = 0, values = 0, differing = 0;
  for (const c of fx.optimizers) {
    it(`${c.name}: parameters after each of ${c.steps.length} steps`, () => {
      const params = makeParams(fx.shapes, fx.init);
      const opt = buildOptimizer(c.optimizer, params);
      const sched = c.scheduler ? buildScheduler(c.scheduler, opt) : null;
      c.steps.forEach((want, step) => {
        opt.zeroGrad();
        setGrads(params, step);
        opt.step();
        if (sched && !(sched instanceof ReduceLROnPlateau)) sched.step();
        params.forEach((p, i) => {
          expectAllClose(`${c.name} step ${step} param ${i}`, p.data, want[i]!, PARAM_RTOL, PARAM_ATOL);
          want[i]!.forEach((w, k) => {
            const u = ulpDiff(p.data[k]!, w);
            maxUlps = Math.max(maxUlps, u);
            values++;
            if (u !== 0) differing++;
          });
        });
        expectAllClose(`${c.name} step ${step} lr`, opt.paramGroups.map((g) => g.lr), c.lrs[step]!, LR_RTOL, LR_ATOL);
      });
      expectStateDictsMatch(`${c.name} final state_dict`, opt.stateDict(), c.state_dict_final);
    });

    if (!c.scheduler) {
      it(`${c.name}: resumes from PyTorch's state_dict after 3 steps`, () => {
        const params = makeParams(fx.shapes, c.steps[2]!);
        const opt = buildOptimizer(c.optimizer, params);
        opt.loadStateDict(JSON.parse(JSON.stringify(c.state_dict_step3)) as OptimizerStateDict);
        for (let step = 3; step < c.steps.length; step++) {
          opt.zeroGrad();
          setGrads(params, step);
          opt.step();
          params.forEach((p, i) => expectAllClose(`${c.name} resumed step ${step} param ${i}`, p.data, c.steps[step]![i]!, PARAM_RTOL, PARAM_ATOL));
        }
        expectStateDictsMatch(`${c.name} resumed final state_dict`, opt.stateDict(), c.state_dict_final);
      });
    }
  }

  it('matches PyTorch bit for bit on >= 99% of parameter values, and within 1 float32 ulp on all', () => {
    // Runs after the cases above (vitest runs a file's tests in order). On the machine that wrote the
    // fixture every value is identical; the margin is for PyTorch's rare double-rounding ties.
    expect(values).toBeGreaterThan(1000);
    expect(maxUlps).toBeLessThanOrEqual(1);
    expect(differing).toBeLessThanOrEqual(values / 100);
  });
});

describe('schedulers against PyTorch 1.13', () => {
  for (const c of fx.schedulers) {
    it(`${c.name}: lr${c.momenta ? ' and momentum' : ''} after construction and ${c.lrs.length - 1} steps`, () => {
      const params = makeParams(fx.shapes, fx.init);
      const opt = buildOptimizer(c.optimizer, params);
      const sched = buildScheduler(c.scheduler, opt);
      const momentum = () => opt.paramGroups.map((g) => (Array.isArray(g.betas) ? (g.betas[0] as number) : ((g.momentum as number | undefined) ?? null)));
      const check = (k: number) => {
        expectAllClose(`${c.name} lr after ${k} steps`, opt.paramGroups.map((g) => g.lr), c.lrs[k]!, LR_RTOL, LR_ATOL);
        expectAllClose(`${c.name} getLastLr after ${k} steps`, sched.getLastLr(), c.lrs[k]!, LR_RTOL, LR_ATOL);
        if (c.momenta) expectAllClose(`${c.name} momentum after ${k} steps`, momentum() as number[], c.momenta[k]! as number[], LR_RTOL, LR_ATOL);
      };
      check(0);
      for (let k = 1; k < c.lrs.length; k++) {
        opt.step();
        if (sched instanceof ReduceLROnPlateau) sched.step(c.metrics![k - 1]!);
        else sched.step();
        check(k);
      }
      if (c.extra_step_error !== undefined) {
        const oneCycle = sched as OneCycleLR;
        if (c.extra_step_error) expect(() => oneCycle.step()).toThrow(c.extra_step_error);
        else expect(() => oneCycle.step()).not.toThrow();
      }
    });
  }
});
