/** Shape helpers shared by tensors, ops and layers. */

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** "(32, 14, 30)", as error messages print shapes. */
export function formatShape(shape: Shape): string {
  return `(${shape.join(', ')})`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(where: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape] as number[];
}

/** Resolves one -1 in a reshape target against `count` elements. */
export function inferShape(where: string, count: number, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || !shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 0))) {
    throw new RangeError(`${where}: invalid shape ${formatShape(shape)}: dimensions must be non-negative integers with at most one -1`);
  }
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : count / known) : d));
  if (numel(out) !== count || !out.every(Number.isInteger)) {
    throw new RangeError(`${where}: cannot reshape ${count} elements into ${formatShape(shape)}`);
  }
  return out;
}
