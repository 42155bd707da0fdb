/** Every `keel` command, in the order `keel --help` lists them. */
import type { Command } from '../args.js';
import { bench } from './bench.js';
import { build } from './build.js';
import { demo } from './demo.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { info } from './info.js';
import { predict } from './predict.js';
import { train } from './train.js';
import { tuneCommand } from './tune.js';

export const COMMANDS: readonly Command[] = [demo, info, train, evalCommand, predict, exportCommand, tuneCommand, bench, build] as unknown as readonly Command[];
