/**
 * The augmentation contract in one import: the Augmentation base class and its JSON spec (./base.ts),
 * compose (./compose.ts) and fromSpec (./registry.ts). The pieces live in their own files because
 * every transform extends the base class while fromSpec must import every transform: one module
 * holding both would be an import cycle, and a class cannot extend a base that is not yet evaluated.
 */
export { Augmentation } from './base.js';
export type { AugmentedBatch, AugmentSpec, JsonValue } from './base.js';
export { compose, Compose } from './compose.js';
export { fromSpec } from './registry.js';
