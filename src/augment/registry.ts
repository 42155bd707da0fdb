/**
 * fromSpec: rebuilds an augmentation from the plain JSON its toSpec() returned — how fit recreates a
 * user's augmentation in its worker thread. The table below names every built-in type; a spec is
 * checked before anything is built, and the factories check the options themselves (so a spec with a
 * bad or unknown option fails as the factory call would).
 */
import { describe } from '../data/validate.js';
import { OptionError } from '../errors.js';
import type { Augmentation } from './base.js';
import { channelDropout } from './channel-dropout.js';
import { compose } from './compose.js';
import { cutmix } from './cutmix.js';
import { jitter } from './jitter.js';
import { magnitudeWarp } from './magnitude-warp.js';
import { mixup } from './mixup.js';
import { scaling } from './scaling.js';
import { timeShift } from './time-shift.js';
import { timeWarp } from './time-warp.js';
import { windowSlice } from './window-slice.js';

type Factory = (options: never) => Augmentation;

const FACTORIES: Readonly<Record<string, Factory>> = {
  jitter,
  scaling,
  magnitudeWarp,
  timeWarp,
  windowSlice,
  timeShift,
  channelDropout,
  mixup,
  cutmix,
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** The augmentation a spec ({ type, options }) describes; throws naming what is wrong with it. */
export function fromSpec(spec: unknown): Augmentation {
  return build(spec, 'spec');
}

function build(spec: unknown, path: string): Augmentation {
  if (!isPlainObject(spec)) throw new OptionError(`augment.fromSpec: ${path} must be an object { type, options }, got ${describe(spec)}`);
  const { type, options } = spec;
  if (!isPlainObject(options)) throw new OptionError(`augment.fromSpec: ${path}.options must be an object, got ${describe(options)}`);
  const extra = Object.keys(spec).filter((k) => k !== 'type' && k !== 'options');
  if (extra.length > 0) throw new OptionError(`augment.fromSpec: ${path} has unknown keys ${extra.join(', ')} (expected type and options)`);
  if (type === 'compose') {
    const list = options.transforms;
    if (!Array.isArray(list) || Object.keys(options).length !== 1) {
      throw new OptionError(`augment.fromSpec: ${path}.options must be { transforms: [spec, …] } for type 'compose', got ${describe(options)}`);
    }
    return compose(list.map((s, i) => build(s, `${path}.options.transforms[${i}]`)));
  }
  if (typeof type !== 'string' || !Object.hasOwn(FACTORIES, type)) {
    throw new OptionError(`augment.fromSpec: ${path}.type must be one of ${['compose', ...Object.keys(FACTORIES)].map((t) => `'${t}'`).join(', ')}, got ${describe(type)}`);
  }
  return FACTORIES[type]!(options as never);
}
