/**
 * The reality profile format, defined once: every key with its type, unit, default and meaning. The
 * JSON Schema in schemas/ (realitySchema.ts), the loader's validation (realityProfileLoader.ts) and
 * docs/reality-profiles.md all derive from this table, so they cannot drift apart.
 *
 * A profile says what the "real robot" of the emulator truly is: the values of the parameters an
 * experiment randomizes (same names as config/parameters.ts, absolute values), and the effects real
 * hardware has that the simulator does not model by default.
 */
import { PARAMETERS, type ParameterInfo } from '../config/parameters';
import { TASK_NAMES } from '../config/taskCatalog';

export type FieldSpec =
  | { readonly kind: 'number'; readonly unit: string; readonly description: string; readonly default: number; readonly min?: number; readonly max?: number; readonly integer?: boolean }
  /** A number for every joint, or one number for all of them. */
  | { readonly kind: 'perJoint'; readonly unit: string; readonly description: string; readonly default: number; readonly min?: number; readonly max?: number }
  | { readonly kind: 'enum'; readonly description: string; readonly values: readonly string[]; readonly default?: string }
  | { readonly kind: 'string'; readonly description: string; readonly default?: string; readonly pattern?: string };

export interface SectionSpec {
  readonly description: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** Joints of the built-in arm; per-joint lists have this many entries. */
export const PROFILE_JOINT_COUNT = 3;

export const TOP_LEVEL_FIELDS: Readonly<Record<string, FieldSpec>> = {
  name: { kind: 'string', description: 'Short name of the profile, shown in logs.' },
  description: { kind: 'string', description: 'What kind of robot or lab this profile stands for.' },
  task: { kind: 'enum', values: TASK_NAMES, description: 'The built-in task the emulator simulates as the real robot.' },
  seed: { kind: 'number', unit: 'integer', integer: true, min: 0, max: 4294967295, default: 0,
    description: 'Seed of every random draw of the emulator (noise, jitter, episode resets): the same profile and commands give the same run.' },
  watchdogMs: { kind: 'number', unit: 'ms', min: 1, max: 10000, default: 100,
    description: 'The robot halts (holds position) when no command or heartbeat arrived for longer than this.' },
  physicsHz: { kind: 'number', unit: 'Hz', min: 50, max: 2000, default: 100,
    description: 'Physics steps per second of the emulated robot, run in real time (the simulator\'s default: 100).' },
};

export const SECTIONS: Readonly<Record<string, SectionSpec>> = {
  effects: {
    description: 'Effects of real hardware the simulator does not model by default. All default to none.',
    fields: {
      frictionCoulombNm: { kind: 'perJoint', unit: 'N·m', min: 0, max: 100, default: 0,
        description: 'Coulomb (dry) joint friction: a torque of this size opposing motion, whatever the speed (tau = c·sign(v)).' },
      frictionViscousNmsPerRad: { kind: 'perJoint', unit: 'N·m·s/rad', min: 0, max: 100, default: 0,
        description: 'Viscous joint friction added to the scene\'s joint damping (tau = b·v).' },
      gainError: { kind: 'perJoint', unit: 'fraction (0.1 = +10%)', min: -0.9, max: 10, default: 0,
        description: 'Actuator gain error: the true position gain (joint_stiffness) and torque are scaled by (1 + gainError).' },
      torqueLimitNm: { kind: 'perJoint', unit: 'N·m', min: 0, max: 10000, default: 0,
        description: 'Torque saturation of the motors, below the scene\'s motor strength; 0 = no saturation beyond motor_strength.' },
      backlashRad: { kind: 'perJoint', unit: 'rad', min: 0, max: 0.5, default: 0,
        description: 'Gear backlash: total dead band of the joint; the output lags the motor by up to half of it in each direction after a reversal.' },
      latencyMs: { kind: 'number', unit: 'ms', min: 0, max: 2000, default: 0,
        description: 'Mean delay between a command arriving and the motors receiving it.' },
      latencyJitterMs: { kind: 'number', unit: 'ms', min: 0, max: 1000, default: 0,
        description: 'Spread of that delay: each command is delayed by latencyMs + U(-jitter, +jitter), never below 0 and never reordered.' },
      encoderOffsetRad: { kind: 'perJoint', unit: 'rad', min: -1, max: 1, default: 0,
        description: 'Calibration error of the joint encoders: added to every reported joint position (and subtracted from commands, which are in the reported frame).' },
      jointPositionNoiseRad: { kind: 'perJoint', unit: 'rad (std)', min: 0, max: 1, default: 0,
        description: 'Standard deviation of Gaussian noise on each reported joint position.' },
      jointVelocityNoiseRadPerS: { kind: 'perJoint', unit: 'rad/s (std)', min: 0, max: 10, default: 0,
        description: 'Standard deviation of Gaussian noise on each reported joint velocity.' },
      jointEffortNoiseNm: { kind: 'perJoint', unit: 'N·m (std)', min: 0, max: 100, default: 0,
        description: 'Standard deviation of Gaussian noise on each reported joint effort.' },
      objectPositionNoiseM: { kind: 'number', unit: 'm (std)', min: 0, max: 1, default: 0,
        description: 'Standard deviation of Gaussian noise on each axis of reported object positions (the tracker\'s error).' },
      objectOrientationNoiseRad: { kind: 'number', unit: 'rad (std)', min: 0, max: 3.2, default: 0,
        description: 'Standard deviation of Gaussian noise on the reported object yaw.' },
    },
  },
  rates: {
    description: 'How often the emulator publishes, in real time.',
    fields: {
      jointStatesHz: { kind: 'number', unit: 'Hz', min: 1, max: 1000, default: 100, description: 'Rate of sensor_msgs/JointState on the joint-states topic.' },
      objectPoseHz: { kind: 'number', unit: 'Hz', min: 1, max: 1000, default: 50, description: 'Rate of geometry_msgs/PoseStamped for each tracked object.' },
      statusHz: { kind: 'number', unit: 'Hz', min: 0.1, max: 100, default: 10, description: 'Rate of the status topic (it is also published on every change).' },
    },
  },
  camera: {
    description: 'The robot\'s camera (sensor_msgs/Image, rgb8, on topics.camera): the true pose and the image effects of a real lens and sensor, which the simulator\'s renders do not have unless an experiment randomizes them. Lighting, colours, texture, focal length and noise are the `parameters` light_intensity, light_position, object_color (the puck; the arm keeps its colour), texture, background_color, camera_focal_length (px) and camera_noise.',
    fields: {
      rateHz: { kind: 'number', unit: 'Hz', min: 0, max: 60, default: 15, description: 'Frames per second published while someone subscribes; 0 turns the camera off.' },
      widthPx: { kind: 'number', unit: 'px', integer: true, min: 8, max: 512, default: 64, description: 'Image width.' },
      heightPx: { kind: 'number', unit: 'px', integer: true, min: 8, max: 512, default: 64, description: 'Image height.' },
      positionXM: { kind: 'number', unit: 'm', min: -5, max: 5, default: 0.8, description: 'True camera position, x (the simulator\'s default camera is at (0.8, 0, 2.13)).' },
      positionYM: { kind: 'number', unit: 'm', min: -5, max: 5, default: 0, description: 'True camera position, y.' },
      positionZM: { kind: 'number', unit: 'm', min: 0, max: 10, default: 2.13, description: 'True camera position, z.' },
      lookAtXM: { kind: 'number', unit: 'm', min: -5, max: 5, default: 0.3, description: 'The point the camera truly looks at, x (the default camera: (0.3, 0, 0.75)).' },
      lookAtYM: { kind: 'number', unit: 'm', min: -5, max: 5, default: 0, description: 'The point the camera truly looks at, y.' },
      lookAtZM: { kind: 'number', unit: 'm', min: -5, max: 10, default: 0.75, description: 'The point the camera truly looks at, z.' },
      ambient: { kind: 'number', unit: 'fraction (0-1)', min: 0, max: 1, default: 0.35, description: 'Share of the light reaching surfaces whatever their orientation (room light, reflections).' },
      shadows: { kind: 'enum', values: ['on', 'off'], default: 'on', description: 'Hard shadows of the arm and the puck from the light.' },
      blurRadiusPx: { kind: 'number', unit: 'px', integer: true, min: 0, max: 8, default: 0, description: 'Box blur radius (defocus, motion blur): each pixel averages a (2r+1)x(2r+1) square.' },
      whiteBalanceRed: { kind: 'number', unit: 'gain', min: 0.1, max: 5, default: 1, description: 'Gain of the red channel after lighting (white balance error).' },
      whiteBalanceGreen: { kind: 'number', unit: 'gain', min: 0.1, max: 5, default: 1, description: 'Gain of the green channel.' },
      whiteBalanceBlue: { kind: 'number', unit: 'gain', min: 0.1, max: 5, default: 1, description: 'Gain of the blue channel.' },
      gamma: { kind: 'number', unit: 'exponent', min: 0.2, max: 5, default: 1, description: 'Sensor response: written intensity = linear^(1/gamma).' },
      vignetting: { kind: 'number', unit: 'fraction (0-1)', min: 0, max: 1, default: 0, description: 'Lens vignetting: share of the brightness lost at the image corners, falling off with the squared distance from the centre.' },
      tableTexture: { kind: 'enum', values: ['solid', 'checker', 'stripes', 'noise', 'gradient', 'image'], description: 'Texture of the table top (overrides parameters.texture for the table), e.g. `image` with a photo of the real table.' },
      textureFolder: { kind: 'string', description: 'Folder of PNG or JPEG images for the `image` texture, relative to the profile file.' },
    },
  },
  topics: {
    description: 'Topic names served; the same keys as the experiment\'s robot.topics.',
    fields: {
      jointStates: { kind: 'string', pattern: '^/', default: '/joint_states', description: 'sensor_msgs/msg/JointState published here.' },
      command: { kind: 'string', pattern: '^/', default: '/forward_position_controller/commands', description: 'std_msgs/msg/Float64MultiArray joint position targets (rad) taken here.' },
      effortCommand: { kind: 'string', pattern: '^/', default: '/forward_effort_controller/commands', description: 'std_msgs/msg/Float64MultiArray joint torques (N·m) taken here: effort mode (docs/robot-link.md).' },
      objectPose: { kind: 'string', pattern: '^/', default: '/puck/pose', description: 'geometry_msgs/msg/PoseStamped of the tracked object (the puck of `push`).' },
      camera: { kind: 'string', pattern: '^/', default: '/camera/image_raw', description: 'sensor_msgs/msg/Image (rgb8) published here at camera.rateHz.' },
      status: { kind: 'string', pattern: '^/', default: '/sim2real/status', description: 'std_msgs/msg/String with the JSON status (armed, running, halted and why).' },
      heartbeat: { kind: 'string', pattern: '^/', default: '/sim2real/heartbeat', description: 'std_msgs/msg/Empty heartbeats that feed the watchdog between commands.' },
    },
  },
  services: {
    description: 'Service names served (std_srvs/srv/Trigger); the same keys as the experiment\'s robot.services.',
    fields: {
      reset: { kind: 'string', pattern: '^/', default: '/sim2real/reset', description: 'Start a new episode: home the arm, place the objects.' },
      stop: { kind: 'string', pattern: '^/', default: '/sim2real/stop', description: 'Protective stop (IEC 60204-1 category 2): hold position, refuse commands until armed.' },
      arm: { kind: 'string', pattern: '^/', default: '/sim2real/arm', description: 'Leave a halt and accept commands again.' },
    },
  },
};

export const PROFILE_KEYS: readonly string[] = [...Object.keys(TOP_LEVEL_FIELDS), ...Object.keys(SECTIONS), 'parameters'];

/** How one randomizable parameter may be given in a profile. */
export interface ParameterValueSpec {
  readonly info: ParameterInfo;
  readonly shape: 'scalar' | 'vector' | 'categorical';
  /** Names a per-target map may use. */
  readonly targets?: readonly string[];
}

const ALL_TARGETS: Readonly<Record<string, readonly string[]>> = {
  objects: ['puck'],
  contactBodies: ['puck', 'table'],
  links: ['link1', 'link2', 'link3'],
  joints: ['shoulder', 'elbow', 'wrist'],
  visualTargets: ['link1', 'link2', 'link3', 'target', 'puck', 'goal', 'table'],
};

export const PARAMETER_SPECS: readonly ParameterValueSpec[] = PARAMETERS.map((info) => ({
  info,
  shape: info.categorical ? 'categorical' : (info.size ?? 1) > 1 ? 'vector' : 'scalar',
  targets: info.targetKind === 'none' ? undefined : ALL_TARGETS[info.targetKind],
}));
