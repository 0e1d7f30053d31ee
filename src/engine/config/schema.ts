/**
 * The experiment format's one source of truth: a JSON Schema (draft 2020-12) built here and written
 * to schemas/experiment.schema.json by `npm run schema`. The validator, completions, hovers and the
 * defaults the engine applies all read this object, so they cannot drift apart.
 *
 * Extra keywords (ignored by other JSON Schema tools): `x-unit` (physical unit), `x-why` (why it
 * matters for transfer) and `x-code` (the finding code a violation reports, for precise messages).
 */
import { DISTRIBUTIONS, OPERATIONS, PARAMETERS, RESAMPLE_MODES, type ParameterGroup, type ParameterInfo } from './parameters';
import { TASK_NAMES, TASKS } from './taskCatalog';

export interface Schema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: SchemaType | SchemaType[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  prefixItems?: Schema[];
  minItems?: number;
  maxItems?: number;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  default?: unknown;
  examples?: unknown[];
  'x-unit'?: string;
  'x-why'?: string;
  'x-code'?: string;
}

export type SchemaType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

const str = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', description, ...extra });
const num = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'number', description, ...extra });
const int = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'integer', description, ...extra });
const bool = (description: string, extra: Partial<Schema> = {}): Schema => ({ type: 'boolean', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({
  type: 'object',
  description,
  properties,
  additionalProperties: false,
  ...extra,
});
const interval = (description: string, extra: Partial<Schema> = {}): Schema => ({
  type: 'array',
  description,
  items: { type: 'number' },
  minItems: 2,
  maxItems: 2,
  ...extra,
});

function parameterSchema(info: ParameterInfo): Schema {
  const example: Record<string, unknown> = { distribution: info.example.distribution };
  if (info.example.range) example.range = info.example.range;
  if (info.example.values) example.values = info.example.values;
  if (info.example.operation) example.operation = info.example.operation;
  if (info.example.size) example.size = info.example.size;
  return obj(
    `${info.description} Unit: ${info.unit}. Nominal value in the built-in scenes: ${info.nominal}.`,
    {
      distribution: str('How values are drawn: uniform and log_uniform over `range`, gaussian from `mean` and `std`, choice among `values`, randint over the whole numbers in `range` (both ends included).', {
        enum: DISTRIBUTIONS,
        examples: [info.example.distribution],
      }),
      range: interval('[low, high] of the distribution (uniform, log_uniform, randint). With `scale` these are multipliers of the nominal value.', {
        examples: info.example.range ? [info.example.range] : undefined,
        'x-unit': info.defaultOperation === 'scale' ? 'multiplier' : info.unit,
      }),
      mean: num('Mean of a gaussian distribution.', { 'x-unit': info.unit }),
      std: num('Standard deviation of a gaussian distribution.', { minimum: 0, 'x-unit': info.unit }),
      clip: interval('[low, high] a gaussian draw is clipped to.'),
      values: { type: 'array', description: 'The candidates of a choice distribution.', minItems: 1, items: { type: ['string', 'number'] } },
      operation: str('How a draw combines with the nominal value: scale multiplies it, add offsets it, abs replaces it (as in Isaac Lab).', {
        enum: OPERATIONS,
        default: info.defaultOperation,
      }),
      targets: { type: 'array', description: 'Which bodies, links or joints of the task to randomize; all applicable ones when omitted.', items: { type: 'string' } },
      size: int('Vector length (3 for positions and RGB colours).', { minimum: 1, maximum: 16, default: info.size ?? 1 }),
      resample: str('When a new value is drawn: every episode (default), once at start-up, or every `interval_steps` control steps.', {
        enum: RESAMPLE_MODES,
        default: 'episode',
      }),
      interval_steps: int('Control steps between draws when `resample: interval`.', { minimum: 1, 'x-unit': 'control steps' }),
      ...(info.name === 'texture'
        ? { folder: str('Folder of texture images (PNG or JPEG), relative to the experiment file; used by the `image` texture family.', { examples: ['textures/lab'] }) }
        : {}),
      enabled: bool('Set to false to keep the entry but not apply it.', { default: true }),
    },
    {
      required: ['distribution'],
      'x-unit': info.unit,
      'x-why': info.whyForTransfer,
      examples: [example],
    },
  );
}

function groupSchema(group: ParameterGroup, description: string): Schema {
  const properties: Record<string, Schema> = {};
  for (const info of PARAMETERS) if (info.group === group) properties[info.name] = parameterSchema(info);
  return obj(description, properties, { 'x-code': 'unknown-parameter' });
}

/** Every name a parameter's targets may take in any task (the semantics check narrows it to the task's). */
function allTargets(info: ParameterInfo): string[] {
  if (info.targetKind === 'none') return [];
  const names = new Set<string>();
  for (const task of TASK_NAMES) for (const name of TASKS[task][info.targetKind]) names.add(name);
  return [...names];
}

/** A calibrated nominal value: one number for every target, or a mapping of target to number. */
function calibratedSchema(info: ParameterInfo): Schema {
  const number: SchemaType = info.integer ? 'integer' : 'number';
  const bounds = { ...(info.min !== undefined ? { minimum: info.min } : {}), ...(info.max !== undefined ? { maximum: info.max } : {}), 'x-unit': info.unit };
  const targets = allTargets(info);
  const perTarget: Record<string, Schema> = {};
  for (const target of targets) perTarget[target] = { type: number, description: `Calibrated ${info.name} of ${target}.`, ...bounds };
  return {
    type: targets.length ? [number, 'object'] : number,
    description: `Measured nominal ${info.name} (${info.unit}), replacing the built-in ${info.nominal}${targets.length ? `: one value for every target, or one per ${info.targetKind === 'joints' ? 'joint' : info.targetKind === 'links' ? 'link' : 'body'}` : ''}.`,
    ...bounds,
    ...(targets.length ? { properties: perTarget, additionalProperties: false } : {}),
  };
}

const calibrationSchema = obj(
  'Measured nominal values from system identification (Sim2Real: Identify Robot Parameters, `sim2real sysid`). They replace the built-in nominal values for this experiment: `scale` ranges multiply them, `add` ranges offset them, and parameters that are not randomized take them as they are.',
  {
    source: str('Where the values come from: the sysid.json of a system identification run, relative to this file.', { examples: ['.sim2real/runs/push-dr/sysid-20261125-150000/sysid.json'] }),
    date: str('When the values were measured (ISO 8601).', { examples: ['2026-11-25T15:00:00Z'] }),
    parameters: obj(
      'Calibrated nominal values by parameter name (the names of `randomization`).',
      Object.fromEntries(PARAMETERS.filter((info) => typeof info.nominal === 'number' && (info.size ?? 1) === 1).map((info) => [info.name, calibratedSchema(info)])),
    ),
  },
  { required: ['parameters'] },
);

const probability = (description: string, extra: Partial<Schema> = {}): Schema => num(description, { minimum: 0, maximum: 1, ...extra });

const safetySchema = obj(
  'Limits every command must pass before it leaves the engine. Violations trigger a protective stop.',
  {
    speed_scale: num('Speed multiplier for the first `limited_episodes` episodes of a session (the seed limits speed to x0.5 at first).', {
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.5,
    }),
    limited_episodes: int('How many episodes at the start of each session run with `speed_scale`.', { minimum: 0, default: 3 }),
    joint_position_limits: {
      type: 'array',
      description: 'Per joint [lower, upper] position limits, in joint order.',
      items: interval('[lower, upper] in rad.', { 'x-unit': 'rad' }),
      'x-unit': 'rad',
      default: [
        [-2.6, 2.6],
        [-2.6, 2.6],
        [-2.6, 2.6],
      ],
    },
    max_joint_velocity: num('Largest joint speed a command may ask for.', { exclusiveMinimum: 0, default: 2.0, 'x-unit': 'rad/s' }),
    max_effort: num('Largest joint torque a command may ask for.', { exclusiveMinimum: 0, default: 8, 'x-unit': 'N·m' }),
    max_command_delta: num('Largest change of a joint position command between two control steps.', { exclusiveMinimum: 0, default: 0.25, 'x-unit': 'rad' }),
    workspace: obj('Box the arm tip must stay inside, in the robot base frame.', {
      x: interval('[min, max] in m.', { 'x-unit': 'm' }),
      y: interval('[min, max] in m.', { 'x-unit': 'm' }),
    }),
    clip_actions: bool('Clip actions into their limits before the checks (the seed clips actions).', { default: true }),
  },
);

export const EXPERIMENT_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://sim2real-workbench.dev/schemas/experiment.schema.json',
  title: 'Sim2Real Workbench experiment',
  description: 'A domain-randomization experiment: task, policy, training, randomization, transfer stages, robot link and evaluation.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'task'],
  properties: {
    name: str('Experiment name; names the run folders.', { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', examples: ['push-dr'] }),
    task: str(`Built-in task: ${TASK_NAMES.map((t) => `\`${t}\` (${TASKS[t].summary})`).join('; ')}`, {
      enum: TASK_NAMES,
      'x-code': 'unknown-task',
      examples: ['push'],
    }),
    seed: int('Seed of every random draw in the run: the same experiment and seed give a bit-identical run.', { minimum: 0, maximum: 4294967295, default: 0 }),
    policy: obj('The policy network.', {
      type: str('Network family.', { enum: ['mlp'], default: 'mlp' }),
      hidden: { type: 'array', description: 'Hidden layer widths; [] is a linear policy.', items: { type: 'integer', minimum: 1, maximum: 1024 }, maxItems: 8, default: [32] },
      activation: str('Hidden-layer activation.', { enum: ['tanh', 'relu'], default: 'tanh' }),
      history: int('How many past observations and actions the policy sees (memory helped transfer in Peng et al. 2018).', { minimum: 0, maximum: 16, default: 0, 'x-unit': 'control steps' }),
      observation_normalization: bool('Normalize observations by running mean and std (folded into the exported ONNX).', { default: true }),
      observation: str('What the policy sees: simulator `state`, or `image` through the perception model.', { enum: ['state', 'image'], default: 'state' }),
      file: str('An existing ONNX policy (relative to this file) to evaluate or fine-tune.', { examples: ['policies/push.onnx'] }),
    }),
    training: obj('How the policy is trained (Augmented Random Search on worker threads; see docs/training.md).', {
      algorithm: str('Learning algorithm.', { enum: ['ars'], default: 'ars' }),
      max_env_steps: int('Budget of control steps across all workers.', { minimum: 1, default: 30_000_000, 'x-unit': 'control steps' }),
      workers: int('Rollout worker threads.', { minimum: 1, maximum: 64, default: 2 }),
      directions: int('ARS: random perturbation directions per iteration.', { minimum: 1, default: 32 }),
      top_directions: int('ARS: best directions used in the update.', { minimum: 1, default: 16 }),
      step_size: num('ARS: learning rate.', { exclusiveMinimum: 0, default: 0.02 }),
      exploration_noise: num('ARS: std of parameter perturbations.', { exclusiveMinimum: 0, default: 0.03 }),
      eval_every_iterations: int('Evaluate in sim every N iterations.', { minimum: 1, default: 10 }),
      eval_episodes: int('Episodes per periodic evaluation.', { minimum: 1, default: 50 }),
      checkpoint_every_iterations: int('Write a checkpoint every N iterations.', { minimum: 1, default: 10 }),
      target_success: probability('Stop once randomized-sim success reaches this rate.', { default: 0.95 }),
      stop_rule: str(
        'When a periodic evaluation reaches `target_success`, the same weights run `eval_episodes` fresh episodes. `confirm`: stop when their success rate also reaches the target. `lower_bound`: stop when the lower end of its Wilson 95% interval does (stricter: with 100 episodes it needs 99 successes for 0.95).',
        { enum: ['confirm', 'lower_bound'], default: 'confirm' },
      ),
    }),
    randomization: obj('Domain randomization: named parameters in three groups, each drawn from its distribution at the time `resample` says.', {
      physics: groupSchema('physics', 'Physics parameters: contact materials, masses, damping.'),
      visuals: groupSchema('visuals', 'Visual parameters for the camera: lighting, colours, textures, background, focal length, noise.'),
      dynamics: groupSchema('dynamics', 'Actuation and sensing: controller gains, motor strength, delays and noise.'),
    }),
    stages: {
      type: 'array',
      description: 'Progressive transfer: pure sim, sim with real textures, sim with real images, a sim/real mix, fine-tuning on the robot.',
      items: obj(
        'One stage of the transfer pipeline.',
        {
          name: str('Unique stage name.'),
          kind: str('What the stage trains on.', { enum: ['sim', 'sim_real_textures', 'sim_real_images', 'mixed', 'real_finetune'] }),
          episodes: int('Episode budget of the stage (real episodes count against the robot budget).', { minimum: 0, default: 10000, 'x-unit': 'episodes' }),
          sim_ratio: num('Fraction of episodes in sim for a `mixed` stage (the seed: 0.8).', { minimum: 0, maximum: 1, 'x-code': 'sim-ratio-range', examples: [0.8] }),
          gate: obj('Conditions to enter this stage.', {
            min_sim_success: probability('Sim success rate the previous stage must reach (the seed: 0.95 before transfer).', { examples: [0.95] }),
            min_real_success: probability('Real success rate the previous stage must reach.'),
            confirm: bool('Ask the user before starting the stage.', { default: true }),
          }),
          skip: bool('Skip this stage.', { default: false }),
        },
        { required: ['name', 'kind'] },
      ),
    },
    evaluation: obj('How policies are evaluated (sim and robot).', {
      episodes: int('Sim evaluation episodes.', { minimum: 1, default: 100, 'x-unit': 'episodes' }),
      max_steps: int('Episode cap.', { minimum: 1, maximum: 500, default: 500, 'x-unit': 'control steps' }),
      randomized: bool('Evaluate in sim with randomization on.', { default: true }),
      real_episodes: int('Robot evaluation episodes (the seed: 50).', { minimum: 0, default: 50, 'x-unit': 'episodes' }),
    }),
    camera: obj('The perception camera: a pinhole camera above the table, +z up. `randomization.visuals` varies its focal length and the image; the jitter keys move its pose each episode.', {
      width_px: int('Image width.', { minimum: 8, maximum: 1024, default: 64, 'x-unit': 'px' }),
      height_px: int('Image height.', { minimum: 8, maximum: 1024, default: 64, 'x-unit': 'px' }),
      focal_length_px: num('Pinhole focal length (fx = fy); camera_focal_length scales it.', { exclusiveMinimum: 0, default: 64, 'x-unit': 'px' }),
      position: { type: 'array', description: 'Camera position [x, y, z] in the world frame (the arm base is at the origin, the table top at z 0.75 m).', items: { type: 'number' }, minItems: 3, maxItems: 3, default: [0.8, 0, 2.13], 'x-unit': 'm' },
      look_at: { type: 'array', description: 'The point [x, y, z] the camera looks at (the image centre).', items: { type: 'number' }, minItems: 3, maxItems: 3, default: [0.3, 0, 0.75], 'x-unit': 'm' },
      position_jitter: num('Each coordinate of the position moves by a uniform draw in [-j, j] every episode.', { minimum: 0, maximum: 1, default: 0, 'x-unit': 'm' }),
      look_at_jitter: num('Each coordinate of look_at moves by a uniform draw in [-j, j] every episode (camera orientation jitter).', { minimum: 0, maximum: 1, default: 0, 'x-unit': 'm' }),
    }),
    robot: obj('The robot link (ROS 2 via rosbridge) or the bundled reality emulator.', {
      adapter: str('`rosbridge` for a robot running rosbridge_server; `emulator` for the bundled reality emulator.', { enum: ['rosbridge', 'emulator'], default: 'emulator' }),
      address: str('WebSocket address of rosbridge. The engine talks to no other address.', { pattern: '^wss?://', 'x-code': 'address-invalid', examples: ['ws://127.0.0.1:9090'] }),
      profile: str('Reality profile the emulator runs (relative to this file).', { examples: ['reality/moderate.yaml'] }),
      description: str('The robot as a URDF file (relative to this file): the simulator builds this arm instead of the built-in three-link arm. So far the `reach` task runs on it, in sim (docs/robots.md).', { examples: ['../robots/so101/so101.urdf'] }),
      joints: { type: 'array', description: 'The controlled joints, by URDF name, in the order of the action and the observation. Default: every movable joint from the base outwards.', items: { type: 'string' }, minItems: 1, maxItems: 32, examples: [['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex']] },
      end_effector: str('The URDF link whose frame is the end effector (what `reach` brings to the target). Default: the last leaf link on the chain of the last controlled joint.', { examples: ['gripper_tip'] }),
      base_position: { type: 'array', description: "Where the URDF's root link sits in the world, m (the table top is at z 0.75).", items: { type: 'number' }, minItems: 3, maxItems: 3, default: [0, 0, 0.75], 'x-unit': 'm' },
      armature: num("Reflected rotor inertia of each controlled joint (MuJoCo's armature): a geared servo's rotor adds gear ratio² times its inertia about the joint axis.", { minimum: 0, maximum: 10, default: 0.005, 'x-unit': 'kg·m²' }),
      topics: obj('Topic names (ROS conventions by default).', {
        joint_states: str('sensor_msgs/JointState from the robot.', { default: '/joint_states' }),
        command: str('std_msgs/Float64MultiArray joint commands (ros2_control forward controller).', { default: '/forward_position_controller/commands' }),
        effort_command: str('std_msgs/Float64MultiArray joint torques, N·m (ros2_control forward effort controller; system identification drives joints through it).', { default: '/forward_effort_controller/commands' }),
        object_pose: str('geometry_msgs/PoseStamped of the tracked object.', { default: '/puck/pose' }),
        camera: str('sensor_msgs/Image from the camera.', { default: '/camera/image_raw' }),
        status: str('Robot status (armed, running, halted and why).', { default: '/sim2real/status' }),
        heartbeat: str('Heartbeat that keeps the robot watchdog fed.', { default: '/sim2real/heartbeat' }),
      }),
      services: obj('Service names (std_srvs/Trigger).', {
        reset: str('Reset the scene.', { default: '/sim2real/reset' }),
        stop: str('Protective stop.', { default: '/sim2real/stop' }),
        arm: str('Re-arm after a stop.', { default: '/sim2real/arm' }),
      }),
      watchdog_ms: int('The robot halts when no command or heartbeat arrives for this long.', { minimum: 10, default: 100, 'x-unit': 'ms' }),
      connect_timeout_ms: int('Give up connecting after this long.', { minimum: 100, default: 3000, 'x-unit': 'ms' }),
      episodes_per_start: int('Supervised batches on a real robot: one person\'s start runs at most this many episodes, and any protective stop ends the batch. 1 (the default) means a person starts every episode. The bundled emulator runs unattended whatever this says.', {
        minimum: 1,
        maximum: 100,
        default: 1,
        'x-unit': 'episodes',
        'x-why': 'A person beside a real robot decides when it moves. Starting each episode by hand is the safe default; a batch trades that for fewer presses while the person still watches, with the emergency stop within reach.',
        examples: [10],
      }),
      max_real_episodes: int('Real-robot episodes the transfer pipeline may use in all (stages and final evaluation); without it, the sum of the stages\' real episodes and evaluation.real_episodes.', { minimum: 0, 'x-unit': 'episodes', examples: [200] }),
      safety: safetySchema,
    }),
    system_identification: obj('How `sim2real sysid --log` reads a recorded log of joint states and commands: CSV columns and MCAP topics. Defaults follow ROS conventions (docs/system-identification.md).', {
      log: obj('Column and topic mapping of the log.', {
        time_column: str('CSV column holding each sample\'s time.', { default: 'time' }),
        time_unit: str('Unit of the time column.', { enum: ['s', 'ms', 'us', 'ns'], default: 's' }),
        joint_position_columns: { type: 'array', description: 'CSV columns of the joint positions, in joint order (default `<joint>_position`).', items: { type: 'string' }, minItems: 1, 'x-unit': 'rad', examples: [['shoulder_position', 'elbow_position', 'wrist_position']] },
        joint_velocity_columns: { type: 'array', description: 'CSV columns of the joint velocities, in joint order. Without it, `<joint>_velocity` columns are used when the log has all of them; otherwise the fit uses positions only.', items: { type: 'string' }, minItems: 1, 'x-unit': 'rad/s' },
        joint_effort_columns: { type: 'array', description: 'CSV columns of the measured joint torques (JointState effort), in joint order. Without it, `<joint>_effort` columns are used when the log has all of them. With them the fit sees the torque the motors really applied (gain error, saturation).', items: { type: 'string' }, minItems: 1, 'x-unit': 'N·m' },
        command_columns: { type: 'array', description: 'CSV columns of the command in force at each sample, in joint order (default `<joint>_command`).', items: { type: 'string' }, minItems: 1, examples: [['shoulder_command', 'elbow_command', 'wrist_command']] },
        command_kind: str('What the commands are: joint torques (`effort`, N·m) or joint position targets (`position`, rad). The fit needs effort commands.', { enum: ['effort', 'position'], default: 'effort' }),
        max_delay_ms: num('Longest command-to-motion delay the fit searches.', { exclusiveMinimum: 0, maximum: 2000, default: 200, 'x-unit': 'ms' }),
        topics: obj('MCAP topics (messages in the `json` encoding).', {
          joint_states: str('sensor_msgs/JointState: name, position, velocity.', { default: '/joint_states' }),
          command: str('std_msgs/Float64MultiArray commands: data, in joint order.', { default: '/forward_effort_controller/commands' }),
        }),
      }),
    }),
    calibration: calibrationSchema,
  },
};

/** The sub-schema at a path of keys (array items are entered with '*'). */
export function schemaAt(path: readonly string[], root: Schema = EXPERIMENT_SCHEMA): Schema | undefined {
  let schema: Schema | undefined = root;
  for (const key of path) {
    if (!schema) return undefined;
    schema = key === '*' ? schema.items : schema.properties?.[key];
  }
  return schema;
}

/** The schema default at a path, for the resolver: defaults live in the schema and nowhere else. */
export function defaultAt<T>(path: readonly string[]): T {
  const schema = schemaAt(path);
  if (!schema || schema.default === undefined) throw new Error(`schema has no default at ${path.join('.')}`);
  return schema.default as T;
}
