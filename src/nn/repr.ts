/**
 * PyTorch-style printing of module trees: `Name(extra)` for a leaf, and for a module with children
 *
 *   Sequential(
 *     (0): Conv1d(14, 64, kernelSize=3, stride=1, padding=1, bias=false)
 *     (1): BatchNorm1d(64, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)
 *   )
 *
 * with nested children indented two spaces a level (torch.nn.Module.__repr__'s layout). `extra` is
 * the module's extraRepr() when it has one (PyTorch's extra_repr).
 */
import type { Module } from './module.js';

/** Indents every line after the first by `spaces` (PyTorch's _addindent). */
function addIndent(s: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return s.split('\n').map((line, i) => (i === 0 ? line : pad + line)).join('\n');
}

/** PyTorch's printout of a module tree: `Name(extraRepr)` with children indented under their names (what Module.toString returns). */
export function moduleRepr(m: Module): string {
  const extra = m.extraRepr();
  const extraLines = extra ? extra.split('\n') : [];
  const childLines = m.namedChildren().map(([name, c]) => `(${name}): ${addIndent(c.toString(), 2)}`);
  const lines = [...extraLines, ...childLines];
  let s = `${m.constructor.name}(`;
  if (lines.length) s += extraLines.length === 1 && !childLines.length ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
  return `${s})`;
}
