/**
 * The engine's `sysid` request (VS Code's Identify Robot Parameters): identify the experiment's
 * robot live (at the address the experiment configures, nowhere else) or fit a log file, and store
 * the result as `<runs>/<experiment>/sysid-<stamp>/sysid.json` for the tree, the coverage
 * diagnostics, the report view and the apply step.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { loadExperiment } from '../config/load';
import type { Attendant } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { writeJsonAtomic } from '../util/atomicFile';
import { identifyOnRobot } from './live';
import { identifyFromLog } from './offline';
import { identifySensorsOnRobot } from './sensorNoise';
import { newSysidRunId } from './sysidRuns';
import { SYSID_FILE, type SysidResult } from './types';

export interface SysidJobParams {
  /** Absolute path of the experiment file. */
  readonly file: string;
  /** Folder runs are written under (`<runsDir>/<experiment>/sysid-<stamp>`). */
  readonly runsDir: string;
  /**
   * Live on the experiment's robot.address (`address`, when given, must equal it; `sensorsOnly`: held
   * still, no torque, only the sensors), or a log file.
   */
  readonly source: { readonly kind: 'robot'; readonly address?: string; readonly sensorsOnly?: boolean } | { readonly kind: 'log'; readonly file: string };
}

export interface SysidJobResult {
  readonly runDir: string;
  readonly resultFile: string;
  readonly result: SysidResult;
}

type Progress = (progress: { fraction?: number; message: string }) => void;

/**
 * `person`: the person in VS Code the robot's motion authority asks (the emergency stop and the
 * start of the identification, on a real robot); its decisions go to the run's motion-log.jsonl.
 */
export async function runSysidJob(params: SysidJobParams, signal: AbortSignal, onProgress: Progress, log: (line: string) => void, person?: Attendant): Promise<SysidJobResult> {
  const experiment = loadValid(params.file);
  // the run folder is named before the robot moves, so its motion log sits beside the result
  const base = join(params.runsDir, experiment.name, newSysidRunId(new Date()));
  let runDir = base;
  for (let n = 2; existsSync(runDir); n++) runDir = `${base}-${n}`;
  let result: SysidResult;
  if (params.source.kind === 'robot') {
    const robot = experiment.robot;
    if (!robot) throw new Error(`${params.file} configures no robot: add a robot block (adapter, address, safety) first.`);
    if (params.source.address !== undefined && params.source.address !== robot.address) {
      throw new Error(`Refused: ${params.source.address} is not the robot address this experiment configures (${robot.address}).`);
    }
    try {
      const live = {
        allowedAddresses: [robot.address],
        signal,
        onProgress,
        log,
        attendance: person ? { attendant: person } : { unattended: { why: 'no person to ask', howToAttend: 'Run Identify Robot Parameters in VS Code.' } },
        path: params.source.sensorsOnly ? 'Identify Robot Parameters (sensors only)' : 'Identify Robot Parameters',
        motionLogPath: join(runDir, MOTION_LOG_FILE),
      };
      result = params.source.sensorsOnly
        ? await identifySensorsOnRobot(experiment, params.file, robot.address, live)
        : await identifyOnRobot(experiment, params.file, robot.address, live);
    } catch (error) {
      if (signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const hint = robot.adapter === 'emulator' && /connect|refused|ECONN|timed out/i.test(message) ? ` Is the reality emulator running there? (npx sim2real emulate${robot.profile ? ` --profile ${robot.profile}` : ''})` : '';
      throw new Error(`${message}${hint}`);
    }
  } else {
    const logFile = params.source.file;
    const extension = extname(logFile).toLowerCase();
    if (extension !== '.csv' && extension !== '.mcap') throw new Error(`${logFile}: a log is a .csv or .mcap file`);
    if (!existsSync(logFile)) throw new Error(`No such log file: ${logFile}`);
    result = await identifyFromLog(experiment, params.file, logFile, { signal, onProgress });
  }
  mkdirSync(runDir, { recursive: true });
  const resultFile = join(runDir, SYSID_FILE);
  writeJsonAtomic(resultFile, result);
  return { runDir, resultFile, result };
}

function loadValid(file: string): Experiment {
  if (!existsSync(file)) throw new Error(`No such experiment file: ${file}`);
  const loaded = loadExperiment(file);
  if (!loaded.experiment) throw new Error(`${file} has errors; fix them (see the Problems panel) before identifying.`);
  return loaded.experiment;
}
