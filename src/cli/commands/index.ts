/** Every `keel` command, in the order `keel --help` lists them. */
import type { Command } from '../args.js';
import { demo } from './demo.js';
import { evalCommand } from './eval.js';
import { info } from './info.js';
import { predict } from './predict.js';
import { train } from './train.js';

export const COMMANDS: readonly Command[] = [demo, info, train, evalCommand, predict] as unknown as readonly Command[];
