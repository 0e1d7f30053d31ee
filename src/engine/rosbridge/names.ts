/**
 * ROS-conventional default topic and service names of the robot link, in the shape of the
 * experiment's `robot.topics` / `robot.services`; the same defaults as the experiment schema
 * (config/schema.ts; a unit test keeps them equal). The emulator serves these unless a profile or an
 * experiment renames them; the client uses whatever the experiment resolved.
 */
import type { RobotConfig } from '../config/experiment';

export type RobotTopics = RobotConfig['topics'];
export type RobotServices = RobotConfig['services'];

export interface RobotNames {
  readonly topics: RobotTopics;
  readonly services: RobotServices;
}

export const DEFAULT_ROBOT_NAMES: RobotNames = {
  topics: {
    jointStates: '/joint_states',
    // what ros2_control's forward_command_controller (position interface) listens on
    command: '/forward_position_controller/commands',
    // ros2_control's forward_command_controller on the effort interface (torque mode, N·m)
    effortCommand: '/forward_effort_controller/commands',
    // the tracked object (the puck of `push`)
    objectPose: '/puck/pose',
    camera: '/camera/image_raw',
    status: '/sim2real/status',
    heartbeat: '/sim2real/heartbeat',
  },
  services: { reset: '/sim2real/reset', stop: '/sim2real/stop', arm: '/sim2real/arm' },
};

export function mergeNames(over?: { topics?: Partial<RobotTopics>; services?: Partial<RobotServices> }): RobotNames {
  return {
    topics: { ...DEFAULT_ROBOT_NAMES.topics, ...(over?.topics ?? {}) },
    services: { ...DEFAULT_ROBOT_NAMES.services, ...(over?.services ?? {}) },
  };
}
