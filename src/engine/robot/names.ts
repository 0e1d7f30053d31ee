/**
 * ROS-conventional default topic and service names of the robot link, in the shape of the
 * experiment's `robot.topics` / `robot.services`. The emulator serves these unless a profile or an
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
    // one PoseStamped topic per tracked object: /object_poses/<object>
    objectPose: '/object_poses',
    camera: '/camera/image_raw',
    status: '/robot_status',
    heartbeat: '/heartbeat',
  },
  services: { reset: '/reset', stop: '/stop', arm: '/arm' },
};

/** The topic carrying one tracked object's pose. */
export function objectPoseTopic(names: RobotNames, object: string): string {
  return `${names.topics.objectPose.replace(/\/$/, '')}/${object}`;
}

export function mergeNames(over?: { topics?: Partial<RobotTopics>; services?: Partial<RobotServices> }): RobotNames {
  return {
    topics: { ...DEFAULT_ROBOT_NAMES.topics, ...(over?.topics ?? {}) },
    services: { ...DEFAULT_ROBOT_NAMES.services, ...(over?.services ?? {}) },
  };
}
