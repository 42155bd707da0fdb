/**
 * The report's colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), eight
 * colours that stay distinguishable under the common colour-vision deficiencies. Curves never rely
 * on colour alone: train is dashed and validation solid in a run's chart, the overlay gives each run
 * its own dash pattern, and every series is named in a legend.
 */

/** Okabe–Ito colours by name. */
export const OKABE_ITO = Object.freeze({
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
});

/**
 * The order runs take colours in: strongest contrast on white first, yellow (faint on white) last.
 * A ninth run starts the cycle again.
 */
const RUN_ORDER: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];

/** The colour of the i-th run (0-based) in the overlay chart. */
export function runColour(i: number): string {
  return RUN_ORDER[i % RUN_ORDER.length]!;
}

/**
 * The dash pattern of the i-th run in the overlay: validation curves of runs that barely differ
 * (L2 at a small decay and no regularisation) lie on top of each other, and a solid line drawn
 * first with broken ones over it keeps every run visible. A ninth run starts the cycle again.
 */
const RUN_DASHES: readonly (string | undefined)[] = [undefined, '9 4', '3 3', '12 3 3 3', '6 2', '2 5', '14 5', '9 3 2 3 2 3'];

/** The stroke-dasharray of the i-th run (0-based) in the overlay chart; undefined = solid. */
export function runDash(i: number): string | undefined {
  return RUN_DASHES[i % RUN_DASHES.length];
}
