/**
 * Engine jobs on an existing run folder, started from the Experiments tree and the gap report
 * panel: evaluate the run's policy on the experiment's robot (eval-real.json), and sweep its
 * per-parameter sensitivity in sim (sensitivity.json). Both write their result into the run folder
 * so the panel, the CLI report and other tools read the same files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from './config/experiment';
import { loadExperiment } from './config/load';
import { TASKS } from './config/taskCatalog';
import { evaluateOnRobot } from './robot/robotEvaluation';
import { writeGapReport } from './reports/runReport';
import { REAL_EVALUATION_FILE, type RealEvaluationRecord } from './runs/runStore';
import { SENSITIVITY_FILE, sweepSensitivity, type SensitivityReport } from './evaluate/sensitivity';
import type { EvaluationReport } from './evaluate/report';
import type { GapReport } from './reports/gapReport';
import { OnnxPolicy } from './policy/onnxPolicy';
import type { EvaluateOnRobotParams, SensitivityParams } from './protocol';
import type { Attendant } from './robot/motionAuthority';
import { MOTION_LOG_FILE } from './robot/motionLog';
import { writeJsonAtomic } from './util/atomicFile';

type Progress = (progress: { fraction?: number; message: string }) => void;

function loadValidExperiment(file: string): Experiment {
  if (!existsSync(file)) throw new Error(`No such experiment file: ${file}`);
  const loaded = loadExperiment(file);
  if (!loaded.experiment) throw new Error(`${file} has errors; fix them (see the Problems panel) before evaluating.`);
  return loaded.experiment;
}

function runPolicy(runDir: string): string {
  const policy = join(runDir, 'policy.onnx');
  if (!existsSync(policy)) throw new Error(`${runDir} has no policy.onnx yet: train it to the end (or resume it) first.`);
  return policy;
}

/**
 * The robot is the one the experiment configures: the address comes from the file, and an address
 * passed along must be that one. A run can never be pointed at another machine from a message.
 * The person in VS Code answers the motion authority (a real robot: the emergency stop, then each
 * episode's start); its decisions go to the run's motion-log.jsonl.
 */
export async function runEvaluateOnRobot(params: EvaluateOnRobotParams, signal: AbortSignal, onProgress: Progress, person: Attendant): Promise<{ real: EvaluationReport; report?: GapReport }> {
  const experiment = loadValidExperiment(params.file);
  const robot = experiment.robot;
  if (!robot) throw new Error(`${params.file} configures no robot: add a robot block (adapter, address, safety) first.`);
  if (params.address !== undefined && params.address !== robot.address) {
    throw new Error(`Refused: ${params.address} is not the robot address this experiment configures (${robot.address}).`);
  }
  const policy = runPolicy(params.runDir);
  const episodes = params.episodes ?? experiment.evaluation.realEpisodes;
  if (episodes < 1) throw new Error('evaluation.real_episodes is 0: set how many real episodes to run.');
  onProgress({ fraction: 0, message: `connecting to ${robot.address}` });
  let real: EvaluationReport;
  try {
    real = await evaluateOnRobot(policy, experiment, robot.address, {
      episodes,
      seed: experiment.seed,
      allowedAddresses: [robot.address],
      signal,
      eventLogPath: join(params.runDir, 'robot-events.jsonl'),
      attendance: { attendant: person },
      path: 'Evaluate on Robot',
      motionLogPath: join(params.runDir, MOTION_LOG_FILE),
      onEpisode: (index) => onProgress({ fraction: (index + 1) / episodes, message: `real episode ${index + 1} of ${episodes} on ${robot.address}` }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = robot.adapter === 'emulator' ? ` Is the reality emulator running there? (npx sim2real emulate${robot.profile ? ` --profile ${robot.profile}` : ''})` : '';
    throw Object.assign(new Error(`${message}${hint}`), { name: error instanceof Error ? error.name : 'Error' });
  }
  const record: RealEvaluationRecord = { report: real, address: robot.address, ...(robot.profile ? { profile: robot.profile } : {}) };
  writeJsonAtomic(join(params.runDir, REAL_EVALUATION_FILE), record);
  // the report needs a sim evaluation too; without one the real figures still stand on their own
  const report = existsSync(join(params.runDir, 'eval.json')) ? writeGapReport(params.runDir) : undefined;
  return { real, report };
}

export async function runSensitivity(params: SensitivityParams, signal: AbortSignal, onProgress: Progress): Promise<SensitivityReport> {
  const experiment = loadValidExperiment(params.file);
  const policyFile = runPolicy(params.runDir);
  const policy = await OnnxPolicy.load(policyFile, TASKS[experiment.task]);
  try {
    const report = await sweepSensitivity(experiment, policy, {
      ...(params.episodes !== undefined ? { episodes: params.episodes } : {}),
      ...(params.points !== undefined ? { points: params.points } : {}),
      signal,
      policyLabel: policyFile,
      onPoint: (done, total, label) => onProgress({ fraction: done / total, message: `point ${done + 1} of ${total}: ${label}` }),
    });
    writeJsonAtomic(join(params.runDir, SENSITIVITY_FILE), report);
    return report;
  } finally {
    await policy.dispose();
  }
}
