/**
 * keel.io: state dicts and safetensors files, the format weights move in between keel and PyTorch.
 *
 *     await save('model.safetensors', model.stateDict());
 *     model.loadStateDict(await load('model.safetensors'));   // validated; a bad file changes nothing
 *
 * encodeSafetensors / decodeSafetensors work on bytes in memory; save / load (and their Sync twins)
 * add atomic, crash-safe files.
 *
 * @module
 */
export {
  DTYPE_SIZES,
  decodeSafetensors,
  encodeSafetensors,
  SAFETENSORS_MAX_HEADER_BYTES,
  SafetensorsError,
} from './safetensors.js';
export type { DecodeOptions, SafetensorsContents } from './safetensors.js';
export { load, loadSync, loadWithMetadata, loadWithMetadataSync, save, saveSync } from './save.js';
export type { LoadOptions, SaveOptions } from './save.js';
export { copyState, DTYPE_ARRAYS, Int64Buffer, isFloatDType } from './state.js';
export type { DType, LoadedEntry, LoadedStateDict, StateData, StateDict, StateTensor } from './state.js';
