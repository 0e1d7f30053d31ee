/**
 * Turns a validated tree into the engine's Experiment, filling every default from the schema.
 * Only called on trees with no error findings, so shapes are known to be right here.
 */
import type {
  CameraConfig,
  Calibration,
  EvaluationConfig,
  Experiment,
  PolicyConfig,
  RandomizationEntry,
  RobotConfig,
  SafetyConfig,
  StageConfig,
  SystemIdentificationConfig,
  TrainingConfig,
} from './experiment';
import { parameterInfo, PARAMETER_GROUPS, type Distribution, type Operation, type Resample } from './parameters';
import { defaultAt } from './schema';
import type { TaskName } from './taskCatalog';
import { plain, type MapNode } from './yamlTree';

type Plain = Record<string, unknown>;

export function resolveExperiment(root: MapNode, sourcePath?: string): Experiment {
  const doc = plain(root) as Plain;
  const get = <T>(section: Plain | undefined, path: string[], key: string): T =>
    (section?.[key] !== undefined && section?.[key] !== null ? section[key] : defaultAt<T>([...path, key])) as T;

  const policySection = doc.policy as Plain | undefined;
  const policy: PolicyConfig = {
    type: 'mlp',
    hidden: get<number[]>(policySection, ['policy'], 'hidden'),
    activation: get(policySection, ['policy'], 'activation'),
    history: get(policySection, ['policy'], 'history'),
    observationNormalization: get(policySection, ['policy'], 'observation_normalization'),
    observation: get(policySection, ['policy'], 'observation'),
    file: policySection?.file as string | undefined,
  };

  const t = doc.training as Plain | undefined;
  const training: TrainingConfig = {
    algorithm: 'ars',
    maxEnvSteps: get(t, ['training'], 'max_env_steps'),
    workers: get(t, ['training'], 'workers'),
    directions: get(t, ['training'], 'directions'),
    topDirections: get(t, ['training'], 'top_directions'),
    stepSize: get(t, ['training'], 'step_size'),
    explorationNoise: get(t, ['training'], 'exploration_noise'),
    evalEveryIterations: get(t, ['training'], 'eval_every_iterations'),
    evalEpisodes: get(t, ['training'], 'eval_episodes'),
    checkpointEveryIterations: get(t, ['training'], 'checkpoint_every_iterations'),
    targetSuccess: get(t, ['training'], 'target_success'),
    stopRule: get(t, ['training'], 'stop_rule'),
  };

  const randomization: RandomizationEntry[] = [];
  const r = doc.randomization as Plain | undefined;
  for (const group of PARAMETER_GROUPS) {
    const entries = (r?.[group] ?? {}) as Record<string, Plain>;
    for (const [name, entry] of Object.entries(entries)) {
      const info = parameterInfo(name);
      if (!info || entry.enabled === false) continue;
      randomization.push({
        name,
        group,
        distribution: entry.distribution as Distribution,
        range: entry.range as [number, number] | undefined,
        mean: entry.mean as number | undefined,
        std: entry.std as number | undefined,
        values: entry.values as (string | number)[] | undefined,
        operation: (entry.operation as Operation | undefined) ?? info.defaultOperation,
        targets: entry.targets as string[] | undefined,
        size: (entry.size as number | undefined) ?? info.size ?? 1,
        resample: (entry.resample as Resample | undefined) ?? 'episode',
        intervalSteps: entry.interval_steps as number | undefined,
        folder: entry.folder as string | undefined,
      });
    }
  }

  const stages: StageConfig[] = ((doc.stages ?? []) as Plain[]).map((stage) => {
    const gate = stage.gate as Plain | undefined;
    return {
      name: stage.name as string,
      kind: stage.kind as StageConfig['kind'],
      episodes: get(stage, ['stages', '*'], 'episodes'),
      simRatio: stage.sim_ratio as number | undefined,
      gate: gate
        ? {
            minSimSuccess: gate.min_sim_success as number | undefined,
            minRealSuccess: gate.min_real_success as number | undefined,
            confirm: get(gate, ['stages', '*', 'gate'], 'confirm'),
          }
        : undefined,
      skip: get(stage, ['stages', '*'], 'skip'),
    };
  });

  const e = doc.evaluation as Plain | undefined;
  const evaluation: EvaluationConfig = {
    episodes: get(e, ['evaluation'], 'episodes'),
    maxSteps: get(e, ['evaluation'], 'max_steps'),
    randomized: get(e, ['evaluation'], 'randomized'),
    realEpisodes: get(e, ['evaluation'], 'real_episodes'),
  };

  return {
    name: doc.name as string,
    task: doc.task as TaskName,
    seed: get(doc, [], 'seed'),
    policy,
    training,
    randomization,
    stages,
    evaluation,
    robot: doc.robot ? resolveRobot(doc.robot as Plain, get) : undefined,
    camera: resolveCamera(doc.camera as Plain | undefined, get),
    ...(doc.system_identification ? { systemIdentification: resolveSystemIdentification(doc.system_identification as Plain) } : {}),
    ...(doc.calibration ? { calibration: resolveCalibration(doc.calibration as Plain) } : {}),
    sourcePath,
  };
}

/** The calibration block as written: numbers, or per-target mappings of numbers (the schema checked both). */
function resolveCalibration(calibration: Plain): Calibration {
  const parameters: Record<string, number | Record<string, number>> = {};
  for (const [name, value] of Object.entries((calibration.parameters ?? {}) as Plain)) {
    if (typeof value === 'number') parameters[name] = value;
    else if (value && typeof value === 'object') parameters[name] = { ...(value as Record<string, number>) };
  }
  return {
    ...(typeof calibration.source === 'string' ? { source: calibration.source } : {}),
    ...(typeof calibration.date === 'string' ? { date: calibration.date } : {}),
    parameters,
  };
}

type Getter = <T>(section: Plain | undefined, path: string[], key: string) => T;

function resolveCamera(camera: Plain | undefined, get: Getter): CameraConfig {
  const path = ['camera'];
  return {
    widthPx: get(camera, path, 'width_px'),
    heightPx: get(camera, path, 'height_px'),
    focalLengthPx: get(camera, path, 'focal_length_px'),
    position: get(camera, path, 'position'),
    lookAt: get(camera, path, 'look_at'),
    positionJitterM: get(camera, path, 'position_jitter'),
    lookAtJitterM: get(camera, path, 'look_at_jitter'),
  };
}

function resolveRobot(robot: Plain, get: Getter): RobotConfig {
  const topics = robot.topics as Plain | undefined;
  const services = robot.services as Plain | undefined;
  const safety = robot.safety as Plain | undefined;
  const tp = ['robot', 'topics'];
  const sp = ['robot', 'services'];
  return {
    adapter: get(robot, ['robot'], 'adapter'),
    address: (robot.address as string | undefined) ?? 'ws://127.0.0.1:9090',
    profile: robot.profile as string | undefined,
    ...(typeof robot.description === 'string'
      ? {
          description: {
            file: robot.description,
            ...(Array.isArray(robot.joints) ? { joints: robot.joints as string[] } : {}),
            ...(typeof robot.end_effector === 'string' ? { endEffector: robot.end_effector } : {}),
            basePosition: get(robot, ['robot'], 'base_position') as [number, number, number],
            armature: get(robot, ['robot'], 'armature'),
          },
        }
      : {}),
    topics: {
      jointStates: get(topics, tp, 'joint_states'),
      command: get(topics, tp, 'command'),
      effortCommand: get(topics, tp, 'effort_command'),
      objectPose: get(topics, tp, 'object_pose'),
      camera: get(topics, tp, 'camera'),
      status: get(topics, tp, 'status'),
      heartbeat: get(topics, tp, 'heartbeat'),
    },
    services: { reset: get(services, sp, 'reset'), stop: get(services, sp, 'stop'), arm: get(services, sp, 'arm') },
    watchdogMs: get(robot, ['robot'], 'watchdog_ms'),
    connectTimeoutMs: get(robot, ['robot'], 'connect_timeout_ms'),
    episodesPerStart: get(robot, ['robot'], 'episodes_per_start'),
    ...(robot.max_real_episodes !== undefined ? { maxRealEpisodes: robot.max_real_episodes as number } : {}),
    safety: safety ? resolveSafety(safety, get) : undefined,
  };
}

function resolveSafety(safety: Plain, get: Getter): SafetyConfig {
  const path = ['robot', 'safety'];
  const workspace = safety.workspace as { x?: [number, number]; y?: [number, number] } | undefined;
  return {
    speedScale: get(safety, path, 'speed_scale'),
    limitedEpisodes: get(safety, path, 'limited_episodes'),
    jointPositionLimits: get(safety, path, 'joint_position_limits'),
    maxJointVelocity: get(safety, path, 'max_joint_velocity'),
    maxEffort: get(safety, path, 'max_effort'),
    maxCommandDelta: get(safety, path, 'max_command_delta'),
    workspace: workspace?.x && workspace.y ? { x: workspace.x, y: workspace.y } : undefined,
    clipActions: get(safety, path, 'clip_actions'),
  };
}

/** The log mapping as written; unset keys keep the sysid defaults (sysid/logs/mapping.ts). */
function resolveSystemIdentification(section: Plain): SystemIdentificationConfig {
  const log = section.log as Plain | undefined;
  if (!log) return {};
  const topics = log.topics as Plain | undefined;
  return {
    log: {
      timeColumn: log.time_column as string | undefined,
      timeUnit: log.time_unit as 's' | 'ms' | 'us' | 'ns' | undefined,
      jointPositionColumns: log.joint_position_columns as string[] | undefined,
      jointVelocityColumns: log.joint_velocity_columns as string[] | undefined,
      jointEffortColumns: log.joint_effort_columns as string[] | undefined,
      commandColumns: log.command_columns as string[] | undefined,
      commandKind: log.command_kind as 'effort' | 'position' | undefined,
      topics: topics ? { jointStates: topics.joint_states as string | undefined, command: topics.command as string | undefined } : undefined,
      maxDelayMs: log.max_delay_ms as number | undefined,
    },
  };
}
