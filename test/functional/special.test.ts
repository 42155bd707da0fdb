// erf / erfc / the normal CDF against CPython 3's math.erf and math.erfc (correctly rounded to within
// an ulp or so), including the far tail where gelu needs erfc's relative accuracy.
import { describe, expect, it } from 'vitest';
import { erf, erfc, normalCdf } from '../../src/functional/special.js';

// [x, math.erf(x), math.erfc(x)]
const TABLE: Array<[number, number, number]> = [
  [0.0, 0.0, 1.0],
  [0.1, 0.1124629160182849, 0.8875370839817152],
  [0.5, 0.5204998778130465, 0.4795001221869535],
  [1.0, 0.8427007929497149, 0.15729920705028513],
  [1.5, 0.9661051464753108, 0.033894853524689274],
  [1.9, 0.9927904292352575, 0.0072095707647425325],
  [2.0, 0.9953222650189527, 0.004677734981047265],
  [2.5, 0.999593047982555, 0.0004069520174449589],
  [3.0, 0.9999779095030014, 2.2090496998585438e-5],
  [4.0, 0.9999999845827421, 1.541725790028002e-8],
  [6.0, 1.0, 2.1519736712498916e-17],
  [10.0, 1.0, 2.088487583762545e-45],
  [26.0, 1.0, 5.663192408856143e-296],
  [-0.7, -0.6778011938374184, 1.6778011938374184],
  [-3.5, -0.9999992569016276, 1.9999992569016276],
];

const rel = (got: number, want: number): number => (want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want));

describe('special functions', () => {
  it('erf matches math.erf to 1e-15 relative', () => {
    for (const [x, e] of TABLE) expect(rel(erf(x), e), `erf(${x})`).toBeLessThan(1e-15);
  });
  it('erfc matches math.erfc to 3e-13 relative, far tail included', () => {
    for (const [x, , c] of TABLE) expect(rel(erfc(x), c), `erfc(${x})`).toBeLessThan(3e-13);
  });
  it('odd / complementary symmetry, limits and NaN', () => {
    for (const x of [0.3, 1.7, 2.2, 5]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(erfc(-x)).toBeCloseTo(2 - erfc(x), 15);
    }
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
  });
  it('normalCdf is erfc(−x/√2)/2, accurate in the lower tail', () => {
    expect(normalCdf(0)).toBe(0.5);
    // Φ(−10) = 7.6198530241605260659…e-24 (mpmath.ncdf, 30 digits)
    expect(rel(normalCdf(-10), 7.619853024160527e-24)).toBeLessThan(1e-12);
    expect(rel(normalCdf(1.959963984540054), 0.975)).toBeLessThan(1e-14);
  });
});
