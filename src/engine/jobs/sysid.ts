/**
 * Identify the robot's friction, inertia, delay and sensor noise, live (through the safety layer,
 * as the motion authority allows) or from a recorded .csv/.mcap log. VS Code stores the result as a
 * run `<runsDir>/<experiment>/sysid-<stamp>/sysid.json` for the tree, the coverage diagnostics, the
 * report view and Apply; the CLI writes `<outDir>/sysid.json` when asked.
 *
 * The robot is the experiment's robot.address; an address in the params must equal it, and only
 * where the user typed it (the CLI's --robot) does it stand in for a missing robot block.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import * as t from '../../common/schema';
import { normalizeRobotUrl } from '../rosbridge/addressPolicy';
import { configuredRobotAddresses } from '../robot/robotEnv';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { identifyOnRobot } from '../sysid/live/identifyOnRobot';
import { identifyFromLog } from '../sysid/offline/identifyFromLog';
import { identifySensorsOnRobot } from '../sysid/live/sensorNoise';
import { RUNS_FOLDER } from '../runs/runStore';
import { newSysidRunId } from '../sysid/sysidRuns';
import { SYSID_FILE, type SysidResult } from '../sysid/types';
import { writeJsonAtomic } from '../util/atomicFile';
import { loadValidExperiment } from './experimentInput';
import { JobInputError, type Job } from './job';

export const sysidSource = t.union(
  t.object({ kind: t.literal('robot'), address: t.optional(t.string()), sensorsOnly: t.optional(t.boolean()) }),
  t.object({ kind: t.literal('log'), file: t.string({ pattern: /\.(csv|mcap)$/i }) }),
);

/** The engine's request: identify live or from a log, stored as a run under runsDir. */
export const sysidRequestParams = t.object({
  /** Absolute path of the experiment file. */
  file: t.string(),
  /** Folder sysid runs are written under (`<runsDir>/<experiment>/sysid-<stamp>`). */
  runsDir: t.string(),
  /** Live on the experiment's robot (held still with `sensorsOnly`: no torque, only the sensors), or a log file. */
  source: sysidSource,
});
export type SysidParams = Omit<t.Infer<typeof sysidRequestParams>, 'runsDir'> & {
  readonly runsDir?: string;
  /** Write `<outDir>/sysid.json` (the CLI's --out), instead of a run under runsDir. */
  readonly outDir?: string;
  /** Live procedure options (the CLI's flags). */
  readonly joints?: readonly string[];
  readonly delayTrials?: number;
  readonly noiseSeconds?: number;
};

export interface SysidJobResult {
  readonly result: SysidResult;
  /** Where it was stored, if it was. */
  readonly runDir?: string;
  readonly resultFile?: string;
}

export const sysid: Job<SysidParams, SysidJobResult> = async (params, context) => {
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'System identification' });
  // the run folder is named before the robot moves, so its motion log sits beside the result
  let runDir = params.outDir;
  if (runDir === undefined && params.runsDir !== undefined) {
    const base = join(params.runsDir, experiment.name, newSysidRunId(new Date()));
    runDir = base;
    for (let n = 2; existsSync(runDir); n++) runDir = `${base}-${n}`;
  }
  let result: SysidResult;
  const source = params.source;
  if (source.kind === 'robot') {
    const configured = experiment.robot?.address;
    const asked = source.address;
    if (configured === undefined && (asked === undefined || !context.addressesAreUserInput)) {
      throw new JobInputError(`${params.file} configures no robot: add a robot block (adapter, address, safety) first.`);
    }
    if (configured !== undefined && asked !== undefined && normalizeRobotUrl(configured) !== normalizeRobotUrl(asked)) {
      throw new JobInputError(`Refused: ${asked} is not the robot address this experiment configures (${configured}).`);
    }
    const address = asked ?? configured!;
    const live = {
      allowedAddresses: configuredRobotAddresses(experiment, context.addressesAreUserInput ? asked : undefined),
      signal: context.signal,
      onProgress: context.progress,
      log: context.log,
      attendance: context.attendance,
      path: `${context.addressesAreUserInput ? 'sim2real sysid' : 'Identify Robot Parameters'}${source.sensorsOnly ? ' (sensors only)' : ''}`,
      motionLogPath: join(runDir ?? join(params.runsDir ?? join(process.cwd(), RUNS_FOLDER), experiment.name), MOTION_LOG_FILE),
      ...(params.noiseSeconds !== undefined ? { noiseSeconds: params.noiseSeconds } : {}),
    };
    try {
      result = source.sensorsOnly
        ? await identifySensorsOnRobot(experiment, params.file, address, live)
        : await identifyOnRobot(experiment, params.file, address, { ...live, ...(params.joints ? { joints: params.joints } : {}), ...(params.delayTrials !== undefined ? { delayTrials: params.delayTrials } : {}) });
    } catch (error) {
      const robot = experiment.robot;
      const message = error instanceof Error ? error.message : String(error);
      if (!context.signal.aborted && error instanceof Error && robot?.adapter === 'emulator' && !context.addressesAreUserInput && /connect|refused|ECONN|timed out/i.test(message)) {
        error.message = `${message} Is the reality emulator running there? (npx sim2real emulate${robot.profile ? ` --profile ${robot.profile}` : ''})`;
      }
      throw error;
    }
  } else {
    const logFile = source.file;
    const extension = extname(logFile).toLowerCase();
    if (extension !== '.csv' && extension !== '.mcap') throw new JobInputError(`${logFile}: a log is a .csv or .mcap file`);
    if (!existsSync(logFile)) throw new JobInputError(`No such log file: ${logFile}`);
    result = await identifyFromLog(experiment, params.file, logFile, { signal: context.signal, onProgress: context.progress });
  }
  if (runDir === undefined) return { result };
  mkdirSync(runDir, { recursive: true });
  const resultFile = join(runDir, SYSID_FILE);
  writeJsonAtomic(resultFile, result);
  return { runDir, resultFile, result };
};
