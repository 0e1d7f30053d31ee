/**
 * What each built-in task exposes to an experiment: the names a randomization entry may target and
 * the sizes of its spaces. Pure data shared by the validator, the completions and the simulator, so
 * an experiment that validates is one the simulator can run.
 */

export type TaskName = 'reach' | 'push';

export interface TaskInfo {
  readonly name: TaskName;
  readonly summary: string;
  /** Free bodies that are not part of the robot (randomization targets for object parameters). */
  readonly objects: readonly string[];
  /** Static or free bodies whose contact material can be randomized. */
  readonly contactBodies: readonly string[];
  readonly links: readonly string[];
  readonly joints: readonly string[];
  /** Things the camera sees whose colour / texture can be randomized. */
  readonly visualTargets: readonly string[];
  readonly observationSize: number;
  readonly actionSize: number;
  /** Episode cap in control steps. */
  readonly maxEpisodeSteps: number;
}

const ARM_LINKS = ['link1', 'link2', 'link3'] as const;
const ARM_JOINTS = ['shoulder', 'elbow', 'wrist'] as const;

export const TASKS: Readonly<Record<TaskName, TaskInfo>> = {
  reach: {
    name: 'reach',
    summary: 'A planar 3-link arm brings its tip to within 2 cm of a random target.',
    objects: [],
    contactBodies: [],
    links: ARM_LINKS,
    joints: ARM_JOINTS,
    visualTargets: ['link1', 'link2', 'link3', 'target', 'table'],
    // joint angles (3), joint velocities (3), tip xy (2), target xy (2)
    observationSize: 10,
    actionSize: 3,
    maxEpisodeSteps: 100,
  },
  push: {
    name: 'push',
    summary: 'The arm pushes a puck across a table to a goal; success when the puck is within 5 cm of it (Peng et al. 2018).',
    objects: ['puck'],
    contactBodies: ['puck', 'table'],
    links: ARM_LINKS,
    joints: ARM_JOINTS,
    visualTargets: ['link1', 'link2', 'link3', 'puck', 'goal', 'table'],
    // joint angles (3), joint velocities (3), tip xy (2), puck xy (2), puck velocity xy (2), goal xy (2)
    observationSize: 14,
    actionSize: 3,
    maxEpisodeSteps: 150,
  },
};

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

export function isTaskName(name: unknown): name is TaskName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(TASKS, name);
}
