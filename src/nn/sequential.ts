/**
 * Sequential: torch.nn.Sequential. Children are named "0", "1", … in order, so state-dict keys are
 * PyTorch's ("0.weight", "1.running_mean"); forward feeds each child's output to the next.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Module, type ModuleJSON } from './module.js';
import { show } from './validate.js';

function checkModule(where: string, m: unknown): void {
  if (!(m instanceof Module)) throw new TypeError(`Sequential: ${where} is not a Module, got ${show(m)}`);
}

export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => checkModule(`argument ${i}`, m));
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** Adds a module at the end (named by its index); returns this. */
  append(module: Module): this {
    checkModule('append', module);
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Number of children. */
  get length(): number {
    return this.children().length;
  }

  /** The child at index i (negative counts from the end). */
  at(i: number): Module {
    const n = this.length, j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`Sequential.at: index ${i} is out of range for ${n} modules`);
    return this.children()[j]!;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this.children()) x = m.forward(x);
    return x;
  }

  toJSON(): ModuleJSON {
    return { type: 'Sequential', children: this.children().map((c) => c.toJSON()) };
  }
}
