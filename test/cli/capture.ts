// Captured stdout/stderr for runCli in tests (no terminal: progress prints one line per fit).
import { Writable } from 'node:stream';
import type { CommandIO } from '../../src/cli/args.js';

export function captureIO(): CommandIO & { stdout(): string; stderr(): string } {
  const sink = () => {
    const chunks: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
    return { stream, text: () => chunks.join('') };
  };
  const out = sink(), err = sink();
  return { out: out.stream, err: err.stream, stdout: out.text, stderr: err.text };
}
