/**
 * Hyper-parameter search for the §1 backbone and the MLP: tune() over a TuneSpace, scored by
 * crossValidate (k-fold, group k-fold by unit), and the building blocks for other searches (grid,
 * randomConfigs, backboneTrial, tableTrial, sequenceTrial). `keel tune` is the command-line face of tune().
 *
 * @module
 */
export { backboneTrial, type BackboneTrialSettings } from './backbone-trial.js';
export { crossValidate, type CrossValidateOptions, type CrossValidation, type CvFold, type MakeTrial } from './cross-validate.js';
export { DEFAULT_CONFIG, grid, randomConfigs, TUNE_KEYS, type TrialConfig, type TuneSpace } from './space.js';
export { sequenceTrial, type SequenceTrialSettings } from './sequence-trial.js';
export { tableTrial, type TableTrialSettings } from './table-trial.js';
export { tune, type TrialResult, type TuneOptions, type TuneResult } from './tune.js';
