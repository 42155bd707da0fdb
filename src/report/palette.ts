/**
 * The report's colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), eight
 * colours that stay distinguishable under the common colour-vision deficiencies. Curves never rely
 * on colour alone: train is dashed and validation solid, and every series is named in a legend.
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
