/**
 * A look at an addon file before it is loaded. dlopen of a truncated shared object maps pages past the
 * file's end, and the process dies of SIGBUS when the loader touches them — no error to catch, the
 * user's whole server gone — so a cut-off download or copy must be refused before `require`. A Linux
 * ELF file's section header table is its last part: a file that ends before the table does is
 * truncated. A file built for another machine is named as such (dlopen says "No such file" for some).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** ELF e_machine of each Node arch keel ships prebuilds for. */
const MACHINES: Record<string, number> = { x64: 62, arm64: 183 };
const MACHINE_NAMES: Record<number, string> = { 62: 'x64', 183: 'arm64', 3: 'ia32', 40: 'arm' };

/** Why `path` cannot be a whole 64-bit little-endian ELF shared object for this arch, or null (fine, or not ELF: dlopen says why). */
export function elfProblem(path: string, arch: string = process.arch): string | null {
  const head = Buffer.alloc(64);
  let read: number, size: number;
  const fd = openSync(path, 'r');
  try {
    read = readSync(fd, head, 0, head.length, 0);
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  if (read < 4 || head.readUInt32BE(0) !== 0x7f454c46) return null;
  if (read < 64 || head[4] !== 2 || head[5] !== 1) return null; // 32-bit or big-endian: not ours to judge
  const machine = head.readUInt16LE(0x12);
  if (MACHINES[arch] !== undefined && machine !== MACHINES[arch]) {
    return `built for ${MACHINE_NAMES[machine] ?? `ELF machine ${machine}`}, not this ${arch} machine`;
  }
  const end = Number(head.readBigUInt64LE(0x28)) + head.readUInt16LE(0x3a) * head.readUInt16LE(0x3c);
  if (size < end) return `truncated: ${size} bytes, but its ELF section table ends at byte ${end} (a cut-off copy or download)`;
  return null;
}
