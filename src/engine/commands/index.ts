/** The table of CLI commands. Add a command by adding its module here. */
import type { CliCommand } from './types';
import { validateCommand } from './validate';
import { trainCommand } from './train';
import { evalCommand } from './eval';
import { emulateCommand } from './emulate';
import { reportCommand } from './report';
import { demoCommand } from './demo';
import { perceptionCommand } from './perception';
import { pipelineCommand } from './pipeline';
import { renderCommand } from './render';
import { recordLogCommand } from './recordLog';
import { sysidCommand } from './sysid';
import { robotCommand } from './robot';

export const COMMANDS: readonly CliCommand[] = [validateCommand, trainCommand, evalCommand, emulateCommand, reportCommand, demoCommand, pipelineCommand, perceptionCommand, renderCommand, recordLogCommand, sysidCommand, robotCommand];
