/**
 * A strict little XML well-formedness check for the report's SVGs (no XML parser is a dependency):
 * every tag is opened and closed in order, attributes are double-quoted, text holds no bare < and
 * no & that is not an entity, and there is exactly one root element. Returns the elements as a flat
 * list (name, attributes, text directly inside) so tests can query them.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
  depth: number;
}

const TOKEN = /<!--[\s\S]*?-->|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
const ATTR = /([\w:.-]+)="([^"]*)"/g;

export function parseXml(source: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let roots = 0;
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    const between = source.slice(last, m.index);
    if (stack.length) stack[stack.length - 1]!.text += between;
    else if (between.trim()) throw new Error(`text outside the root element: ${JSON.stringify(between.slice(0, 40))}`);
    last = m.index + m[0].length;
    if (m[0] === '<' || m[0] === '&') throw new Error(`bare ${m[0]} at ${m.index}: ${JSON.stringify(source.slice(m.index, m.index + 40))}`);
    if (m[0].startsWith('<!--')) continue;
    const [, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}> at ${m.index}`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, k, v] of attrText.matchAll(ATTR)) {
      if (k! in attrs) throw new Error(`duplicate attribute ${k} on <${name}>`);
      attrs[k!] = v!;
    }
    if (stack.length === 0) roots++;
    const el = { name, attrs, text: '', depth: stack.length };
    elements.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (source.slice(last).trim()) throw new Error('text after the root element');
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
  return elements;
}
