/**
 * ModelCheckpoint's path templates: Python's str.format fields as a Keras user writes them —
 * `{epoch:03d}`, `{epoch:03}`, `{epoch:>3}`, `{valLoss:.4f}`, `{valLoss:.3e}`, `{valLoss:.4g}` — each
 * number formatted as Python formats it. Python rounds the exact binary value, half to even on exact
 * ties (format(0.125, '.2f') is '0.12'), where toFixed rounds ties up and toPrecision's exponent
 * form differs; so the digits come from the double's exact decimal expansion (BigInt), not from those.
 *
 * A field is `{key}` or `{key:spec}`, spec = [[fill]align][sign][0][width][.precision][type], with
 * align < > ^ =, sign + - or space, type f F e E g G (any key), or d or none (epoch only: the one log
 * value that is an integer; Python refuses 'd' for the floats Keras logs). `{{` and `}}` are literal
 * braces. Anything else between braces ('#', ',', '%', '!r', '{}', a lone '}') is refused when the
 * template is read, naming the field: nothing is left in the path as literal text, nothing is guessed.
 */
import { OptionError } from '../../errors.js';

/** A parsed format spec. */
export interface FormatSpec {
  fill: string;
  align: '<' | '>' | '^' | '=';
  sign: '+' | '-' | ' ';
  width: number;
  precision: number | undefined;
  /** '' for a bare `{key}` (String(value)) or an integer without a type (as 'd'). */
  type: '' | 'd' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G';
}

/** One field of a template: the text as written, the log key and its spec. */
export interface TemplateField {
  text: string;
  key: string;
  spec: FormatSpec;
}

/** A template: literal text and fields, in order. */
export type TemplatePart = string | TemplateField;

const SPEC = /^(?:([^{}])?([<>^=]))?([-+ ])?(0)?(\d+)?(?:\.(\d+))?([dfFeEgG])?$/;
const KEY = /^[A-Za-z_]\w*$/;
/** The log key whose values are integers ('d' and no type format integers, as in Python). */
const INTEGER_KEY = 'epoch';

function refuse(where: string, template: string, field: string, why: string): never {
  throw new OptionError(`${where}: the path template's field ${field} ${why} (in ${JSON.stringify(template)}); fields are {key} or {key:spec} with a spec such as 03d, >3, .4f, .3e or .4g, and {{ or }} for a literal brace`);
}

/** Parses the spec after ':' (the field text is for messages). */
function parseSpec(where: string, template: string, field: string, key: string, spec: string): FormatSpec {
  const m = SPEC.exec(spec);
  if (m === null) refuse(where, template, field, `has a format spec ${JSON.stringify(spec)} that is not [[fill]align][sign][0][width][.precision][type] with type d, f, e, g (or F, E, G)`);
  const [, fill, align, sign, zero, width, precision, type] = m;
  const integerType = type === undefined || type === 'd';
  if (integerType && spec !== '' && key !== INTEGER_KEY) {
    refuse(where, template, field, `formats ${key} as an integer${type ? " ('d')" : ' (no type)'}, but only epoch is one; give a type for a float: f, e or g (e.g. {${key}:.4f})`);
  }
  if (integerType && precision !== undefined) refuse(where, template, field, 'gives a precision to an integer (Python refuses it too)');
  // Python: a '0' before the width with no explicit alignment pads with zeros after the sign.
  const zeroPad = zero !== undefined && align === undefined;
  return {
    fill: fill ?? (zero !== undefined ? '0' : ' '),
    align: (align as FormatSpec['align'] | undefined) ?? (zeroPad ? '=' : '>'),
    sign: (sign as FormatSpec['sign'] | undefined) ?? '-',
    width: width === undefined ? 0 : Number(width),
    precision: precision === undefined ? undefined : Number(precision),
    type: spec === '' ? '' : ((type ?? 'd') as FormatSpec['type']),
  };
}

/** Splits a template into literal text and fields; throws naming the first field it cannot format. */
export function parseTemplate(where: string, template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i += 2;
      continue;
    }
    if (c === '}') refuse(where, template, "'}'", 'closes nothing (write }} for a literal brace)');
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    const end = template.indexOf('}', i);
    const open = template.indexOf('{', i + 1);
    if (end < 0 || (open >= 0 && open < end)) refuse(where, template, JSON.stringify(template.slice(i, end < 0 ? undefined : end + 1)), 'is not closed by } (write {{ for a literal brace)');
    const field = template.slice(i, end + 1);
    const inner = field.slice(1, -1);
    const colon = inner.indexOf(':');
    const key = colon < 0 ? inner : inner.slice(0, colon);
    if (!KEY.test(key)) refuse(where, template, field, 'does not name a log key (a letter or _, then letters, digits or _)');
    parts.push(text, { text: field, key, spec: colon < 0 ? parseSpec(where, template, field, key, '') : parseSpec(where, template, field, key, inner.slice(colon + 1)) });
    text = '';
    i = end + 1;
  }
  parts.push(text);
  return parts.filter((p) => p !== '');
}

// ---------------------------------------------------------------------------------------------------
// Exact decimal formatting
// ---------------------------------------------------------------------------------------------------

/** |v| exactly, as digits × 10^-scale (a double is a dyadic rational: its decimal expansion ends). */
function exactDecimal(v: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  // m / 2^k = m·5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** round(|value| × 10^places), half to even, for any integer `places` (negative too). */
function scaledRound(x: { digits: bigint; scale: number }, places: number): bigint {
  const shift = places - x.scale;
  if (shift >= 0) return x.digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  let q = x.digits / divisor;
  const r2 = (x.digits % divisor) * 2n;
  if (r2 > divisor || (r2 === divisor && q % 2n === 1n)) q += 1n;
  return q;
}

/** An integer n as a decimal with `places` digits after the point: n × 10^-places. */
function withPoint(n: bigint, places: number): string {
  if (places === 0) return n.toString();
  const s = n.toString().padStart(places + 1, '0');
  return `${s.slice(0, -places)}.${s.slice(-places)}`;
}

/** Python's 'f' on |v|. */
function fixed(v: number, precision: number): string {
  return withPoint(scaledRound(exactDecimal(v), precision), precision);
}

/** Python's 'e' on |v|: the rounded significand's digits and the decimal exponent. */
function scientificParts(v: number, precision: number): { significand: string; exponent: number } {
  const x = exactDecimal(v);
  if (x.digits === 0n) return { significand: withPoint(0n, precision), exponent: 0 };
  let exponent = x.digits.toString().length - 1 - x.scale;
  let n = scaledRound(x, precision - exponent);
  if (n.toString().length > precision + 1) {
    // Rounded up to the next power of ten: 9.99 → 10.0 is 1.00e+01.
    n /= 10n;
    exponent += 1;
  }
  return { significand: withPoint(n, precision), exponent };
}

function exponentText(e: number): string {
  return `e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Python's 'g' on |v|: fixed or scientific by the exponent, insignificant zeros removed. */
function general(v: number, precision: number): string {
  const p = precision === 0 ? 1 : precision;
  const { exponent } = scientificParts(v, p - 1);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exponent >= -4 && exponent < p) return trim(fixed(v, p - 1 - exponent));
  const { significand } = scientificParts(v, p - 1);
  return trim(significand) + exponentText(exponent);
}

/** |v| in the spec's type, without sign. */
function magnitude(v: number, spec: FormatSpec): string {
  const type = spec.type.toLowerCase();
  const upper = spec.type !== type;
  let s: string;
  if (Number.isNaN(v)) s = 'nan';
  else if (!Number.isFinite(v)) s = 'inf';
  else if (type === 'd' || type === '') s = String(Math.abs(v));
  else if (type === 'f') s = fixed(v, spec.precision ?? 6);
  else if (type === 'e') {
    const { significand, exponent } = scientificParts(v, spec.precision ?? 6);
    s = significand + exponentText(exponent);
  } else s = general(v, spec.precision ?? 6);
  return upper ? s.toUpperCase() : s;
}

/** One value as Python's format(value, spec) gives it (the spec as parseTemplate read it). */
export function formatValue(v: number, spec: FormatSpec): string {
  if (spec.type === '' && spec.width === 0) return String(v); // a bare {key}: the value as logged
  const negative = v < 0 || Object.is(v, -0);
  const sign = negative ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  const digits = magnitude(v, spec);
  const pad = Math.max(0, spec.width - sign.length - digits.length);
  const fill = (k: number) => spec.fill.repeat(k);
  switch (spec.align) {
    case '<':
      return sign + digits + fill(pad);
    case '^':
      return fill(Math.floor(pad / 2)) + sign + digits + fill(pad - Math.floor(pad / 2));
    case '=':
      return sign + fill(pad) + digits;
    default:
      return fill(pad) + sign + digits;
  }
}

/** The template with every field replaced by its formatted value (`value` gives each key's). */
export function renderTemplate(parts: readonly TemplatePart[], value: (key: string) => number): string {
  return parts.map((p) => (typeof p === 'string' ? p : formatValue(value(p.key), p.spec))).join('');
}
