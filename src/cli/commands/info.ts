/**
 * `keel info`: what this installation runs on — keel's version, the backend (native or the JS
 * reference), the CPU level the kernels were chosen for and what the CPU supports, threads, and
 * which addon file was loaded (the first thing to look at when speed is not what it should be).
 */
import { availableParallelism, cpus } from 'node:os';
import { backendInfo, getNumThreads } from '../../backend/index.js';
import { describeCaches } from '../../backend/loader.js';
import { defineCommand } from '../args.js';
import { version } from '../../version.js';

export const info = defineCommand({
  name: 'info',
  summary: 'version, backend, CPU level, threads and where the addon came from',
  usage: `Usage: keel info [--json]

Prints keel's version, the backend in use (native addon or JS reference), the CPU level of its
kernels, the levels this CPU supports, the thread count and the addon file that was loaded.

Options:
  --json       one JSON object on stdout
  -h, --help   this text

Example:
  keel info --json
`,
  options: { json: { type: 'boolean', default: false } },
  async run(values, _positionals, io) {
    const b = backendInfo();
    const result = {
      version: version(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      backend: b.backend,
      isa: b.isa,
      detectedIsa: b.detectedIsa,
      supportedIsas: b.supportedIsas,
      threads: getNumThreads(),
      addonPath: b.addonPath,
      caches: b.caches,
      variants: b.variants,
    };
    if (values.json) {
      io.out.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    const rows: [string, string][] = [
      ['keel', result.version],
      ['node', `${result.node} (${result.platform})`],
      ['cpu', `${result.cpu}, ${result.cores} cores`],
      ['backend', result.backend],
      ['kernels', `${result.isa}${result.detectedIsa ? ` (CPU supports ${result.supportedIsas.join(', ')})` : ''}`],
      ['threads', String(result.threads)],
      ...(b.caches ? [['caches', describeCaches(b.caches)] as [string, string]] : []),
      ['addon', result.addonPath ?? 'none (JS reference kernels)'],
    ];
    io.out.write(rows.map(([k, v]) => `${k.padEnd(8)} ${v}`).join('\n') + '\n');
    return 0;
  },
});
