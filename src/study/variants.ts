/**
 * The variants of the regularisation study, as one list: each says which regularisers it turns on.
 * The study trains them, the CLI's table and --variants flag, the report and the seed script all read
 * this list, so adding a variant is one line here (XNNPACK's one-list-drives-everything).
 */
export interface StudyVariant {
  /** The name used on the command line, in JSON and in file names. */
  readonly name: 'none' | 'l2' | 'dropout' | 'batchnorm' | 'recipe';
  /** What a person reads in the table and the charts. */
  readonly label: string;
  /** BatchNorm1d after each convolution (the convolutions then have no bias). */
  readonly batchNorm: boolean;
  /** Dropout after each convolution block (0.15) and before the last Linear (0.5), as DESIGN.md §1. */
  readonly dropout: boolean;
  /** AdamW's decoupled weight decay on the weights (not biases or BatchNorm); Adam otherwise. */
  readonly weightDecay: boolean;
  /** Early stopping on validation loss that restores the best epoch's weights. */
  readonly earlyStopping: boolean;
}

/** The five variants the study trains, in table order: none, l2, dropout, batchnorm, recipe. */
export const STUDY_VARIANTS: readonly StudyVariant[] = [
  { name: 'none', label: 'No regularisation', batchNorm: false, dropout: false, weightDecay: false, earlyStopping: false },
  { name: 'l2', label: 'L2 (weight decay)', batchNorm: false, dropout: false, weightDecay: true, earlyStopping: false },
  { name: 'dropout', label: 'Dropout', batchNorm: false, dropout: true, weightDecay: false, earlyStopping: false },
  { name: 'batchnorm', label: 'BatchNorm', batchNorm: true, dropout: false, weightDecay: false, earlyStopping: false },
  { name: 'recipe', label: 'BatchNorm + Dropout + AdamW + early stopping', batchNorm: true, dropout: true, weightDecay: true, earlyStopping: true },
];

/** A variant's name: 'none' | 'l2' | 'dropout' | 'batchnorm' | 'recipe'. */
export type StudyVariantName = StudyVariant['name'];

/** The variants' names, in STUDY_VARIANTS' order. */
export const STUDY_VARIANT_NAMES = STUDY_VARIANTS.map((v) => v.name) as readonly StudyVariantName[];
