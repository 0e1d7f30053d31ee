/**
 * The robot an experiment runs: the built-in three-link arm, or the URDF named by
 * robot.description with its controlled joints, end effector and base position. The task's
 * spaces follow from it (TaskInfo), so the policy's sizes follow the arm.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closestName } from '../util/didYouMean';
import type { KinematicTree } from '../urdf/kinematicTree';
import { loadUrdf } from '../urdf/loadUrdf';
import { formatProblem } from '../urdf/model';
import type { Experiment, RobotDescriptionConfig } from './experiment';
import { TASKS, type TaskInfo } from './taskCatalog';

export interface RobotModel {
  /** Absolute path of the URDF. */
  readonly file: string;
  readonly tree: KinematicTree;
  /** Indices into tree.joints, in the action's order. */
  readonly controlled: readonly number[];
  readonly jointNames: readonly string[];
  readonly endEffector: string;
  readonly basePosition: readonly [number, number, number];
  readonly armature: number;
}

/** The URDF's absolute path, when the experiment names one. */
export function robotDescriptionPath(experiment: Pick<Experiment, 'robot' | 'sourcePath'>): string | undefined {
  const file = experiment.robot?.description?.file;
  if (!file) return undefined;
  return resolve(experiment.sourcePath ? dirname(experiment.sourcePath) : process.cwd(), file);
}

/**
 * Which joints and end effector the description's names pick in the tree; a message per name that
 * is not there (with "did you mean").
 */
export function pickRobotParts(tree: KinematicTree, config: Pick<RobotDescriptionConfig, 'joints' | 'endEffector'>): { controlled: number[]; endEffector: string; problems: { key: 'joints' | 'end_effector'; index?: number; message: string }[] } {
  const problems: { key: 'joints' | 'end_effector'; index?: number; message: string }[] = [];
  const movable = tree.joints.map((j) => j.name);
  const controlled: number[] = [];
  (config.joints ?? movable).forEach((name, index) => {
    const i = movable.indexOf(name);
    if (i >= 0) {
      if (controlled.includes(i)) problems.push({ key: 'joints', index, message: `joint '${name}' is listed twice` });
      else controlled.push(i);
      return;
    }
    const fixed = tree.robot.joints.get(name);
    const hint = fixed ? ' (it is a fixed joint)' : suggestion(name, movable);
    problems.push({ key: 'joints', index, message: `no movable joint '${name}' in ${tree.robot.name}${hint}. It has: ${movable.join(', ')}.` });
  });
  let endEffector = config.endEffector ?? defaultEndEffector(tree, controlled);
  if (!tree.frames.has(endEffector)) {
    problems.push({ key: 'end_effector', message: `no link '${endEffector}' in ${tree.robot.name}${suggestion(endEffector, tree.frames.keys())}` });
    endEffector = defaultEndEffector(tree, controlled);
  }
  return { controlled, endEffector, problems };
}

/** The last leaf link on the body moved by the last controlled joint, else that body's own link. */
function defaultEndEffector(tree: KinematicTree, controlled: readonly number[]): string {
  if (controlled.length === 0) return tree.robot.root;
  const body = tree.joints[controlled[controlled.length - 1]!]!.childBody;
  const parents = new Set([...tree.robot.joints.values()].map((j) => j.parent));
  const leaves = tree.bodies[body]!.links.filter((l) => !parents.has(l));
  return leaves.at(-1) ?? tree.bodies[body]!.name;
}

function suggestion(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best ? `; did you mean '${best}'?` : '';
}

const cache = new Map<string, { mtimeMs: number; model: RobotModel }>();

/** Load the experiment's URDF robot (cached per file and modification time); throws a clear error on any problem. */
export function loadRobotModel(experiment: Pick<Experiment, 'robot' | 'sourcePath'>): RobotModel | undefined {
  const file = robotDescriptionPath(experiment);
  const config = experiment.robot?.description;
  if (!file || !config) return undefined;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    throw new Error(`robot.description: no such URDF file: ${file}`);
  }
  const key = `${file}|${JSON.stringify(config)}`;
  const hit = cache.get(key);
  if (hit && hit.mtimeMs === mtimeMs) return hit.model;
  const loaded = loadUrdf(file);
  if (!loaded.tree) throw new Error(`robot.description: the URDF has errors:\n${loaded.problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n')}`);
  const parts = pickRobotParts(loaded.tree, config);
  if (parts.problems.length > 0) throw new Error(`robot.${parts.problems[0]!.key}: ${parts.problems[0]!.message}`);
  const model: RobotModel = {
    file,
    tree: loaded.tree,
    controlled: parts.controlled,
    jointNames: parts.controlled.map((i) => loaded.tree!.joints[i]!.name),
    endEffector: parts.endEffector,
    basePosition: config.basePosition,
    armature: config.armature,
  };
  cache.set(key, { mtimeMs, model });
  return model;
}

/** The task's names and spaces for this experiment's robot. */
export function taskInfoFor(experiment: Pick<Experiment, 'task' | 'robot' | 'sourcePath'>): TaskInfo {
  const base = TASKS[experiment.task];
  const model = loadRobotModel(experiment);
  if (!model) return base;
  if (experiment.task !== 'reach') throw new Error(`task '${experiment.task}' on a URDF robot (robot.description) is not supported yet: 'reach' is`);
  const n = model.controlled.length;
  return {
    ...base,
    summary: `${model.tree.robot.name} brings ${model.endEffector} to within 2 cm of a random target it can reach.`,
    links: model.tree.bodies.slice(1).map((b) => b.name),
    joints: model.jointNames,
    visualTargets: [],
    // joint positions (n), joint velocities (n), end-effector xyz (3), target xyz (3), target - end effector (3)
    observationSize: 2 * n + 9,
    actionSize: n,
  };
}

/** For the parts that still run the built-in arm only: refuse a URDF robot with what runs instead. */
export function requireBuiltInArm(experiment: Pick<Experiment, 'robot' | 'sourcePath'>, what: string): void {
  const file = robotDescriptionPath(experiment);
  if (file) throw new Error(`${what} runs the built-in three-link arm only so far, and this experiment names a URDF robot (robot.description: ${experiment.robot!.description!.file}). On a URDF robot, train and evaluate 'reach' in sim (docs/robots.md).`);
}
