/** The table of CLI commands. Add a command by adding its module here. */
import type { CliCommand } from './types';
import { validateCommand } from './validate';

export const COMMANDS: readonly CliCommand[] = [validateCommand];
