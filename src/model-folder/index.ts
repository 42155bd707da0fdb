/**
 * Model folders in a Node program (`import { loadModelFolder } from 'keel'`): what `keel train` wrote
 * — the weights, the architecture and the preprocessing in model.json — loaded with the checks
 * `keel predict` makes and used on new readings, sequences, table rows or images, with the same
 * preprocessing and the same numbers as `keel predict`, so a server can serve a model the CLI
 * trained without shelling out to it. docs/model-folder.md describes the folder.
 *
 * @module
 */
export { loadModelFolder, ModelFolder, type ClassPrediction, type ModelFolderKind, type ModelFolderPredictOptions, type Prediction, type ValuePrediction, type WindowPrediction } from './model-folder.js';
export type { ModelInput, Row } from './inputs.js';
