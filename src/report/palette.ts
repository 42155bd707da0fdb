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
 * Darker shades of the Okabe–Ito colours too light on the white chart: orange, sky blue and yellow
 * as lines (WCAG 1.4.11 asks 3:1 of graphics; the originals are 2.3, 2.3 and 1.3 to 1), bluish green
 * and vermillion as text (1.4.3 asks 4.5:1; the originals are 3.4 and 3.9). Same hues, so the
 * palette keeps telling colours apart under the common colour-vision deficiencies.
 */
export const OKABE_ITO_DARK = Object.freeze({
  orange: '#B57A00', // 3.7:1 on white
  skyBlue: '#3A8CC4', // 3.7:1
  yellow: '#9E9200', // 3.2:1
  bluishGreen: '#007A58', // 5.4:1, for text
  vermillion: '#B35000', // 5.2:1, for text
});

/**
 * The order runs take colours in: strongest contrast on white first, yellow (faintest) last; every
 * one at least 3:1 on white. A ninth run starts the cycle again.
 */
const RUN_ORDER: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO_DARK.orange,
  OKABE_ITO_DARK.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO_DARK.yellow,
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
