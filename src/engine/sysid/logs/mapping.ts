/**
 * Where a log keeps each signal: CSV column names and MCAP topics, from the experiment's
 * `system_identification.log` block or ROS-conventional defaults (sensor_msgs/JointState on
 * /joint_states, std_msgs/Float64MultiArray on /forward_effort_controller/commands).
 */
import type { Experiment } from '../../config/experiment';
import { TASKS } from '../../config/taskCatalog';
import type { CommandKind, TimeUnit } from './trajectory';

export interface LogMapping {
  /** Joint names in the experiment's order; MCAP JointState messages are matched by these names. */
  readonly joints: readonly string[];
  readonly timeColumn: string;
  readonly timeUnit: TimeUnit;
  readonly positionColumns: readonly string[];
  /** Undefined: use `<joint>_velocity` columns when the log has all of them, else fit positions only. */
  readonly velocityColumns?: readonly string[];
  readonly commandColumns: readonly string[];
  /** Measured joint torques; undefined: `<joint>_effort` columns when the log has all of them. */
  readonly effortColumns?: readonly string[];
  readonly commandKind: CommandKind;
  readonly topics: { readonly jointStates: string; readonly command: string };
  /** Longest command-to-motion delay searched, ms. */
  readonly maxDelayMs: number;
}

export const DEFAULT_TOPICS = { jointStates: '/joint_states', command: '/forward_effort_controller/commands' } as const;
export const DEFAULT_MAX_DELAY_MS = 200;

/** The mapping for an experiment: its `system_identification.log` block over the defaults. */
export function logMappingFor(experiment: Experiment): LogMapping {
  const joints = TASKS[experiment.task].joints;
  const log = experiment.systemIdentification?.log;
  return {
    joints,
    timeColumn: log?.timeColumn ?? 'time',
    timeUnit: log?.timeUnit ?? 's',
    positionColumns: log?.jointPositionColumns ?? joints.map((j) => `${j}_position`),
    velocityColumns: log?.jointVelocityColumns,
    commandColumns: log?.commandColumns ?? joints.map((j) => `${j}_command`),
    effortColumns: log?.jointEffortColumns,
    commandKind: log?.commandKind ?? 'effort',
    topics: { jointStates: log?.topics?.jointStates ?? DEFAULT_TOPICS.jointStates, command: log?.topics?.command ?? DEFAULT_TOPICS.command },
    maxDelayMs: log?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
  };
}
