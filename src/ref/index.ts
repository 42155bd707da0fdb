/** The reference kernel set: plain-JS loops that define what every native kernel computes. */
export * from './conv1d.js';
export * from './batchnorm1d.js';
export * from './dropout.js';
export * from './relu.js';
export * from './linear.js';
export * from './fused.js';
export * from './optim.js';
export * from './conv1d-epilogue.js';
export * from './gather.js';
