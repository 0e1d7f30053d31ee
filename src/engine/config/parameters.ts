/**
 * The randomizable parameters, by group. This table is the one place that names them: the schema,
 * the validator, completions, hovers, the simulator's randomizer and the reality profiles all read it.
 */
import type { TaskInfo } from './taskCatalog';

export type ParameterGroup = 'physics' | 'visuals' | 'dynamics';
export type Distribution = 'uniform' | 'log_uniform' | 'gaussian' | 'choice' | 'randint';
export type Operation = 'scale' | 'add' | 'abs';
export type Resample = 'episode' | 'startup' | 'interval';

/** Which names of the task a parameter's `targets` may list. */
export type TargetKind = 'objects' | 'contactBodies' | 'links' | 'joints' | 'visualTargets' | 'none';

export interface ParameterInfo {
  readonly name: string;
  readonly group: ParameterGroup;
  readonly unit: string;
  readonly description: string;
  /** Why randomizing it matters when the policy meets the real robot. */
  readonly whyForTransfer: string;
  /** Nominal value in the built-in scenes (what `scale` multiplies and `add` offsets). */
  readonly nominal: number | string;
  readonly defaultOperation: Operation;
  readonly targetKind: TargetKind;
  /** Vector length when the parameter is a vector (light position, colours). */
  readonly size?: number;
  /** Smallest and largest physically meaningful absolute values, checked after the operation. */
  readonly min?: number;
  readonly max?: number;
  /** Values are whole numbers (delays in steps). */
  readonly integer?: boolean;
  /** Only `choice` makes sense (categorical, e.g. textures). */
  readonly categorical?: readonly string[];
  /** A seed-document range, used for snippets and examples. */
  readonly example: { distribution: Distribution; range?: [number, number]; values?: string[]; operation?: Operation; size?: number };
}

const p = (info: ParameterInfo): ParameterInfo => info;

export const PARAMETERS: readonly ParameterInfo[] = [
  // physics
  p({ name: 'friction', group: 'physics', unit: 'coefficient (dimensionless)', nominal: 0.6, defaultOperation: 'scale', targetKind: 'contactBodies', min: 0, max: 10,
    description: 'Coulomb friction coefficient of contact surfaces (puck, table).',
    whyForTransfer: 'Real surfaces wear, get dusty and differ from the nominal material; a push policy tuned to one friction overshoots or stalls on another.',
    example: { distribution: 'uniform', range: [0.5, 1.5], operation: 'scale' } }),
  p({ name: 'restitution', group: 'physics', unit: 'coefficient (0-1)', nominal: 0, defaultOperation: 'abs', targetKind: 'contactBodies', min: 0, max: 1,
    description: 'Bounciness of contacts: 0 absorbs all impact energy, 1 bounces perfectly.',
    whyForTransfer: 'Impacts on real hardware bounce a little; a policy that never saw a rebound can be surprised by one.',
    example: { distribution: 'uniform', range: [0, 0.3], operation: 'abs' } }),
  p({ name: 'object_mass', group: 'physics', unit: 'kg', nominal: 0.2, defaultOperation: 'scale', targetKind: 'objects', min: 1e-4, max: 100,
    description: 'Mass of the manipulated objects (the puck).',
    whyForTransfer: 'Object mass is rarely known precisely; heavier objects need more force and slide less after a push.',
    example: { distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' } }),
  p({ name: 'link_mass', group: 'physics', unit: 'kg', nominal: 0.5, defaultOperation: 'scale', targetKind: 'links', min: 1e-4, max: 100,
    description: 'Mass of the arm links.',
    whyForTransfer: 'CAD masses omit cables, screws and motors; the controller then meets more inertia than in sim (Peng et al. randomized x[0.25, 4]).',
    example: { distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' } }),
  p({ name: 'linear_damping', group: 'physics', unit: '1/s', nominal: 0.5, defaultOperation: 'scale', targetKind: 'objects', min: 0, max: 100,
    description: 'Velocity-proportional drag on bodies\' linear motion (puck damping in Peng et al.).',
    whyForTransfer: 'Air drag and rolling resistance are unmodelled in sim; they change how far a pushed object coasts.',
    example: { distribution: 'uniform', range: [0.5, 2.0], operation: 'scale' } }),
  p({ name: 'angular_damping', group: 'physics', unit: '1/s', nominal: 0.5, defaultOperation: 'scale', targetKind: 'objects', min: 0, max: 100,
    description: 'Velocity-proportional drag on bodies\' rotation.',
    whyForTransfer: 'Spinning objects slow down differently in reality, which changes where they end up.',
    example: { distribution: 'uniform', range: [0.5, 2.0], operation: 'scale' } }),
  p({ name: 'joint_damping', group: 'physics', unit: 'N·m·s/rad', nominal: 0.05, defaultOperation: 'scale', targetKind: 'joints', min: 0, max: 100,
    description: 'Viscous damping in the arm\'s joints (gearbox and bearing losses).',
    whyForTransfer: 'Gearboxes add damping that varies with temperature and wear (Peng et al. randomized x[0.2, 20]).',
    example: { distribution: 'uniform', range: [0.5, 2.0], operation: 'scale' } }),
  p({ name: 'joint_friction', group: 'physics', unit: 'N·m (Coulomb torque)', nominal: 0, defaultOperation: 'abs', targetKind: 'joints', min: 0, max: 100,
    description: 'Coulomb (dry) friction in the arm\'s joints: a constant torque opposing joint motion, smoothed near zero speed.',
    whyForTransfer: 'Gear and seal friction holds a joint until the motor overcomes it; a policy that never met it stops short of small targets on hardware.',
    example: { distribution: 'uniform', range: [0, 0.3], operation: 'abs' } }),
  p({ name: 'table_height', group: 'physics', unit: 'm', nominal: 0.75, defaultOperation: 'abs', targetKind: 'none', min: 0.5, max: 1.0,
    description: 'Height of the table top above the floor, with the arm base fixed.',
    whyForTransfer: 'Tables are never exactly where the CAD says; the pusher meets the puck higher or lower (Peng et al.: [0.73, 0.77] m).',
    example: { distribution: 'uniform', range: [0.73, 0.77], operation: 'abs' } }),
  // visuals
  p({ name: 'light_intensity', group: 'visuals', unit: 'relative (1 = nominal)', nominal: 1, defaultOperation: 'scale', targetKind: 'none', min: 0, max: 10,
    description: 'Brightness of the scene light.',
    whyForTransfer: 'Lab lighting changes through the day; a vision policy must not depend on one exposure.',
    example: { distribution: 'uniform', range: [0.5, 1.5], operation: 'scale' } }),
  p({ name: 'light_position', group: 'visuals', unit: 'm (x, y, z)', nominal: 0, defaultOperation: 'add', targetKind: 'none', size: 3, min: -10, max: 10,
    description: 'Position of the scene light, per axis.',
    whyForTransfer: 'Shadows and highlights move with the light; randomizing it stops the policy keying on them.',
    example: { distribution: 'uniform', range: [-2, 2], operation: 'add', size: 3 } }),
  p({ name: 'object_color', group: 'visuals', unit: 'RGB (0-1)', nominal: 0.5, defaultOperation: 'abs', targetKind: 'visualTargets', size: 3, min: 0, max: 1,
    description: 'Diffuse colour of objects and links, per channel.',
    whyForTransfer: 'Real objects never match the sim\'s colours; random colours teach the network shape over hue (Tobin et al. 2017).',
    example: { distribution: 'uniform', range: [0, 1], operation: 'abs', size: 3 } }),
  p({ name: 'texture', group: 'visuals', unit: 'texture family', nominal: 'solid', defaultOperation: 'abs', targetKind: 'visualTargets',
    categorical: ['solid', 'checker', 'stripes', 'noise', 'gradient', 'image'],
    description: 'Surface texture of objects: a procedural family or images from a folder (e.g. photos of the lab).',
    whyForTransfer: 'Unrealistic random textures made simulated-only training transfer to real images (Tobin et al. 2017: 1.5 cm error).',
    example: { distribution: 'choice', values: ['solid', 'checker', 'stripes', 'noise'] } }),
  p({ name: 'background_color', group: 'visuals', unit: 'RGB (0-1)', nominal: 0.2, defaultOperation: 'abs', targetKind: 'none', size: 3, min: 0, max: 1,
    description: 'Colour of the background behind the scene, per channel.',
    whyForTransfer: 'The real background is cluttered and changes; the policy must ignore it.',
    example: { distribution: 'uniform', range: [0, 1], operation: 'abs', size: 3 } }),
  p({ name: 'camera_focal_length', group: 'visuals', unit: 'px (pinhole focal length)', nominal: 64, defaultOperation: 'scale', targetKind: 'none', min: 1, max: 10000,
    description: 'Focal length of the pinhole camera.',
    whyForTransfer: 'Real lenses are calibrated only approximately; a few percent of zoom shifts every pixel position.',
    example: { distribution: 'uniform', range: [0.9, 1.1], operation: 'scale' } }),
  p({ name: 'camera_noise', group: 'visuals', unit: 'std of pixel noise (0-1 intensity)', nominal: 0, defaultOperation: 'abs', targetKind: 'none', min: 0, max: 1,
    description: 'Standard deviation of Gaussian noise added to each pixel.',
    whyForTransfer: 'Real sensors are noisy, especially in dim light; clean sim images make brittle features.',
    example: { distribution: 'uniform', range: [0, 0.05], operation: 'abs' } }),
  // dynamics
  p({ name: 'joint_stiffness', group: 'dynamics', unit: 'N·m/rad (PD position gain)', nominal: 40, defaultOperation: 'scale', targetKind: 'joints', min: 0, max: 1e5,
    description: 'Proportional gain of the joint position controllers.',
    whyForTransfer: 'Real controller gains differ from the model (Peng et al. randomized controller gains x[0.5, 2]).',
    example: { distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' } }),
  p({ name: 'motor_strength', group: 'dynamics', unit: 'N·m (torque limit)', nominal: 8, defaultOperation: 'scale', targetKind: 'joints', min: 0, max: 1e4,
    description: 'Maximum torque each joint motor can apply.',
    whyForTransfer: 'Motors saturate below their datasheet torque when warm or on a weak supply.',
    example: { distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' } }),
  p({ name: 'action_delay', group: 'dynamics', unit: 'control steps', nominal: 0, defaultOperation: 'abs', targetKind: 'none', min: 0, max: 50, integer: true,
    description: 'Number of control steps between the policy choosing an action and the motors receiving it.',
    whyForTransfer: 'Networks, drivers and bus cycles delay commands by a few steps; a policy that never saw latency oscillates on hardware.',
    example: { distribution: 'randint', range: [0, 3], operation: 'abs' } }),
  p({ name: 'action_timestep', group: 'dynamics', unit: 's (control period)', nominal: 0.02, defaultOperation: 'scale', targetKind: 'none', min: 1e-3, max: 1,
    description: 'Time between consecutive actions (the control period).',
    whyForTransfer: 'Real control loops jitter; Peng et al. found a fixed action timestep cut real success from 0.89 to 0.29.',
    example: { distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' } }),
  p({ name: 'action_noise', group: 'dynamics', unit: 'std (fraction of the action range)', nominal: 0, defaultOperation: 'abs', targetKind: 'none', min: 0, max: 1,
    description: 'Standard deviation of Gaussian noise added to every action.',
    whyForTransfer: 'Motor drivers and quantization never execute a command exactly.',
    example: { distribution: 'uniform', range: [0.01, 0.05], operation: 'abs' } }),
  p({ name: 'observation_noise', group: 'dynamics', unit: 'std (observation units)', nominal: 0, defaultOperation: 'abs', targetKind: 'none', min: 0, max: 1,
    description: 'Standard deviation of Gaussian noise added to every observation.',
    whyForTransfer: 'Encoders and trackers are noisy; Peng et al. found removing observation noise cut real success to 0.25.',
    example: { distribution: 'uniform', range: [0.0, 0.01], operation: 'abs' } }),
  // the robot's sensors, channel by channel (sim/sensing.ts); observation_noise above adds to all of them
  p({ name: 'joint_position_noise', group: 'dynamics', unit: 'rad (std)', nominal: 0, defaultOperation: 'abs', targetKind: 'joints', min: 0, max: 1,
    description: 'Standard deviation of Gaussian noise on each measured joint angle (encoder noise). The fingertip the policy sees moves with it, as forward kinematics from the encoders does on a robot.',
    whyForTransfer: 'Encoders and their drivers are never exact; a policy that only saw perfect angles reacts to the jitter of real ones.',
    example: { distribution: 'uniform', range: [0, 0.003], operation: 'abs' } }),
  p({ name: 'joint_velocity_noise', group: 'dynamics', unit: 'rad/s (std)', nominal: 0, defaultOperation: 'abs', targetKind: 'joints', min: 0, max: 10,
    description: 'Standard deviation of Gaussian noise on each measured joint velocity.',
    whyForTransfer: 'Joint velocities come from differenced encoders or observers and are much noisier than the simulator\'s exact rates.',
    example: { distribution: 'uniform', range: [0, 0.03], operation: 'abs' } }),
  p({ name: 'object_position_noise', group: 'dynamics', unit: 'm (std, per axis)', nominal: 0, defaultOperation: 'abs', targetKind: 'objects', min: 0, max: 1,
    description: 'Standard deviation of Gaussian noise on each axis of a tracked object\'s measured position (the tracker\'s error). With object_tracking_rate set, the object\'s velocity is differenced from these noisy positions, as on the robot.',
    whyForTransfer: 'Camera and motion-capture trackers jitter by millimetres; differenced into a velocity, that jitter becomes the largest noise a push policy sees.',
    example: { distribution: 'uniform', range: [0, 0.005], operation: 'abs' } }),
  p({ name: 'object_tracking_rate', group: 'dynamics', unit: 'Hz', nominal: 0, defaultOperation: 'abs', targetKind: 'objects', min: 0, max: 1000,
    description: 'Rate of the object tracker. Above 0 the policy sees the latest tracked pose (held between updates) and a velocity differenced from the last two, as the robot\'s episodes compute it; 0 keeps the simulator\'s exact pose and velocity at every step.',
    whyForTransfer: 'A 30 Hz tracker behind a 50 Hz controller gives stale positions and a differenced velocity; a policy trained on exact velocities misreads both.',
    example: { distribution: 'uniform', range: [20, 50], operation: 'abs' } }),
];

export const PARAMETER_GROUPS: readonly ParameterGroup[] = ['physics', 'visuals', 'dynamics'];
export const DISTRIBUTIONS: readonly Distribution[] = ['uniform', 'log_uniform', 'gaussian', 'choice', 'randint'];
export const OPERATIONS: readonly Operation[] = ['scale', 'add', 'abs'];
export const RESAMPLE_MODES: readonly Resample[] = ['episode', 'startup', 'interval'];

const BY_NAME = new Map(PARAMETERS.map((info) => [info.name, info]));

export function parameterInfo(name: string): ParameterInfo | undefined {
  return BY_NAME.get(name);
}

export function parametersOf(group: ParameterGroup): ParameterInfo[] {
  return PARAMETERS.filter((info) => info.group === group);
}

/** The names a parameter may target in a task; an empty list means the task has nothing to randomize. */
export function targetsFor(info: ParameterInfo, task: TaskInfo): readonly string[] | undefined {
  return info.targetKind === 'none' ? undefined : task[info.targetKind];
}

/** A parameter applies to a task unless it targets a kind of thing the task does not have. */
export function appliesToTask(info: ParameterInfo, task: TaskInfo): boolean {
  if (info.name === 'table_height') return task.contactBodies.includes('table');
  const targets = targetsFor(info, task);
  return targets === undefined || targets.length > 0;
}
