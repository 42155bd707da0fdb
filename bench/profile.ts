/**
 * Where the time of a training step goes, from a V8 CPU profile (node:inspector's Profiler, as
 * `npm run bench:e2e -- --profile` records it): each sample's SELF time — the interval since the
 * previous sample, charged to the frame on top of the stack — is put in one category by the frame's
 * script url and function name, and the functions with the most self time are listed.
 *
 *   kernels     keel's functional ops (src/ or dist/ functional/), the kernel set (backend/, ref/) and the
 *               optimisers' update functions (optim/adam, adamw, sgd, finite-grads);
 *   autograd    the graph: tensor/autograd and tensor/tensor (fromOp, backward, accumulateGrad);
 *   allocation  tensor/storage, node's buffer module and the native ArrayBuffer allocators;
 *   gc          V8's "(garbage collector)" node;
 *   data        data/ (batching, gathering rows);
 *   other       every other frame (fit's loop, nn modules, losses' glue, node internals);
 *   program     "(program)": V8 and native work outside any JS frame;
 *   idle        "(idle)": the thread waiting (event loop empty).
 * A frame without a script (a native or builtin function other than the allocators) is charged — its
 * category and, in the top functions, its name — to its nearest caller that has one. That is also how
 * the addon's kernels are found: node names every N-API function after the first one bound (they share
 * one V8 callback), so the profile's name for a native call is meaningless, but its caller is keel's.
 *
 * Limits. The profile samples the caller's thread only: a native kernel's time — its work on every
 * pool thread included, as the caller waits for it — counts against the JS function that called
 * `kernels.*` (so kernels = the kernels plus the JS around their calls in the same functions), and work
 * in a worker thread is not seen. Categories are sampled (V8 takes a sample every 100–250 µs when
 * asked for 100): a category of n samples is known to about ±√n samples, ±1–2% of a 1-second category;
 * the profiler's own overhead slows the profiled run by a few percent.
 */
import type { Profiler } from 'node:inspector';

export const CATEGORIES = ['kernels', 'autograd', 'allocation', 'gc', 'data', 'other', 'program', 'idle'] as const;
export type Category = (typeof CATEGORIES)[number];

type Frame = Profiler.ProfileNode['callFrame'];

const KEEL = String.raw`/(?:src|dist)/`;
const RULES: readonly (readonly [Category, RegExp])[] = [
  ['kernels', new RegExp(`${KEEL}(?:functional|backend|ref)/|${KEEL}optim/(?:adamw?|sgd|finite-grads)\\.`)],
  ['autograd', new RegExp(`${KEEL}tensor/(?:autograd|tensor)\\.`)],
  ['allocation', new RegExp(`${KEEL}tensor/storage\\.|^node:(?:internal/)?buffer$`)],
  ['data', new RegExp(`${KEEL}data/`)],
];
/** Native allocators that have no script url but are allocation wherever they are called from. */
const ALLOCATORS = /^(?:createUnsafeBuffer|createUnsafeArrayBuffer|allocUnsafeSlow)$/;
const SPECIAL: Readonly<Record<string, Category>> = { '(garbage collector)': 'gc', '(program)': 'program', '(idle)': 'idle', '(root)': 'other' };

/** A frame's category, or null for a frame without a script (it takes its caller's). */
export function categoryOf(frame: Frame): Category | null {
  const special = SPECIAL[frame.functionName];
  if (special && frame.url === '') return special;
  if (ALLOCATORS.test(frame.functionName)) return 'allocation';
  if (frame.url === '') return null;
  return RULES.find(([, re]) => re.test(frame.url))?.[0] ?? 'other';
}

export interface TopFunction {
  /** function name (or "(anonymous)") */
  name: string;
  /** the script's last two path segments, and the 1-based line where the profile has one */
  where: string;
  category: Category;
  ms: number;
}

export interface ProfileSummary {
  /** Self time per category, ms, over the samples taken in the window. */
  ms: Record<Category, number>;
  /** The window's length, ms (the profile's span when no window is given). */
  wallMs: number;
  /** The sum of `ms` (wallMs minus it is the time no sample covers: the window's edges, missed ticks). */
  sampledMs: number;
  samples: number;
  top: TopFunction[];
}

/** Who a node's self time is charged to: the frame itself, or for a frame without a script its nearest caller with one. */
interface Owner {
  category: Category;
  frame: Frame;
}

/** Each node's owner (a scriptless frame whose callers have no script either is charged as 'other'). */
function nodeOwners(nodes: readonly Profiler.ProfileNode[]): Map<number, Owner> {
  const parent = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const owners = new Map<number, Owner>();
  const resolve = (id: number): Owner => {
    const known = owners.get(id);
    if (known) return known;
    const frame = byId.get(id)!.callFrame;
    const category = categoryOf(frame);
    const p = parent.get(id);
    const owner = category !== null ? { category, frame } : p === undefined ? { category: 'other' as const, frame } : resolve(p);
    owners.set(id, owner);
    return owner;
  };
  for (const n of nodes) resolve(n.id);
  return owners;
}

/** A function's name and place: the script's last two path segments, and its line where the profile has one. */
function describe(f: Frame): { name: string; where: string } {
  const file = f.url === '' ? '(native)' : f.url.split('/').slice(-2).join('/');
  return { name: f.functionName || '(anonymous)', where: f.lineNumber > 0 ? `${file}:${f.lineNumber + 1}` : file };
}

/**
 * Self time per category and the `topN` functions by self time, over the samples whose timestamps lie
 * in `window` (µs, the profiler's clock: process.hrtime's on Linux), or over the whole profile.
 */
export function summarise(profile: Profiler.Profile, window?: { fromUs: number; toUs: number }, topN = 10): ProfileSummary {
  const owners = nodeOwners(profile.nodes);
  const from = window?.fromUs ?? profile.startTime, to = window?.toUs ?? profile.endTime;
  const selfUs = new Map<number, number>();
  let t = profile.startTime, samples = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const dt = profile.timeDeltas?.[i] ?? 0;
    t += dt;
    if (t <= from || t > to) return;
    // The interval up to this sample, clipped at the window's start.
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.min(dt, t - from));
    samples++;
  });
  const ms = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const byFunction = new Map<string, TopFunction>();
  for (const [id, us] of selfUs) {
    const { category, frame } = owners.get(id)!;
    ms[category] += us / 1e3;
    const { name, where } = describe(frame);
    const key = `${name}\0${where}\0${category}`;
    const f = byFunction.get(key) ?? { name, where, category, ms: 0 };
    f.ms += us / 1e3;
    byFunction.set(key, f);
  }
  const top = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, topN);
  return { ms, wallMs: (to - from) / 1e3, sampledMs: CATEGORIES.reduce((s, c) => s + ms[c], 0), samples, top };
}
