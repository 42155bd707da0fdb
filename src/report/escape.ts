/**
 * escapeXml: text made safe to put into SVG and HTML, as element content or inside a quoted
 * attribute. Run names, labels and table cells come from users (a label such as `L2 <λ=1e-4> & "BN"`
 * must print as written, never open a tag or end an attribute), so every string the report writes
 * passes through here; numbers the report formats itself need not.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` with & < > " ' replaced by their entities (the same string is valid in XML and HTML). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
