/**
 * The ROS 2 message and service shapes the robot link carries, as rosbridge encodes them (plain JSON
 * objects), with validators: a publish frame can be well-formed rosbridge and still carry a message
 * of the wrong shape, which must be dropped and logged like any other bad frame.
 */
import { isRecord } from '../../common/guards';

export const MSG_JOINT_STATE = 'sensor_msgs/msg/JointState';
export const MSG_POSE_STAMPED = 'geometry_msgs/msg/PoseStamped';
export const MSG_FLOAT64_MULTI_ARRAY = 'std_msgs/msg/Float64MultiArray';
/** Robot status: a std_msgs/String whose `data` is the JSON of `RobotStatus`. */
export const MSG_STRING = 'std_msgs/msg/String';
export const MSG_EMPTY = 'std_msgs/msg/Empty';
export const SRV_TRIGGER = 'std_srvs/srv/Trigger';

export interface Time { sec: number; nanosec: number }
export interface Header { stamp: Time; frame_id: string }

export interface JointStateMsg {
  header: Header;
  name: string[];
  /** rad */
  position: number[];
  /** rad/s */
  velocity: number[];
  /** N·m */
  effort: number[];
}

export interface PoseStampedMsg {
  header: Header;
  pose: {
    /** m */
    position: { x: number; y: number; z: number };
    orientation: { x: number; y: number; z: number; w: number };
  };
}

export interface Float64MultiArrayMsg {
  layout: { dim: { label: string; size: number; stride: number }[]; data_offset: number };
  data: number[];
}

export interface TriggerResponse { success: boolean; message: string }

/** Why the robot is not moving. `not_armed` is the state at start-up, before the first arm call. */
export type HaltReason = 'not_armed' | 'stop' | 'watchdog' | 'safety' | 'link_lost';
export type RobotState = 'armed' | 'running' | 'halted';

export interface RobotStatus {
  state: RobotState;
  /** Set when state is 'halted'. */
  reason?: HaltReason;
  /** Free text for people: which limit, which client... */
  detail?: string;
  /** Episode counter of the robot side (incremented by each reset). */
  episode: number;
  /**
   * True only from the bundled reality emulator: with `adapter: emulator` in the experiment it may
   * run unattended (robot/motionAuthority.ts). A robot that does not say so is a real robot.
   */
  emulator?: boolean;
}

/** Seconds + nanoseconds of a time in ms (builtin_interfaces/Time). */
export function timeFromMs(ms: number): Time {
  const sec = Math.floor(ms / 1000);
  return { sec, nanosec: Math.round((ms - sec * 1000) * 1e6) };
}

export function float64MultiArray(data: ArrayLike<number>): Float64MultiArrayMsg {
  return { layout: { dim: [], data_offset: 0 }, data: Array.from(data) };
}

/**
 * An effort (torque) command, N·m, for some joints. Like a ros2_control forward effort controller that
 * claims a subset of the joints, `layout.dim[0].label` names the joints the values are for
 * (comma-separated, in the order of `data`); with no layout dimension the data is for every joint in
 * joint-state order. The joints it does not name keep their mode and targets.
 */
export function effortMultiArray(joints: readonly string[], torquesNm: ArrayLike<number>): Float64MultiArrayMsg {
  return { layout: { dim: [{ label: joints.join(','), size: joints.length, stride: joints.length }], data_offset: 0 }, data: Array.from(torquesNm) };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** An effort command addressed to joints by index (into `jointNames`), with its torques, N·m. */
export interface EffortCommand {
  readonly joints: readonly number[];
  readonly torquesNm: readonly number[];
}

export function checkEffortCommand(msg: Record<string, unknown>, jointNames: readonly string[]): Checked<EffortCommand> {
  const layout = msg.layout;
  const dims = isRecord(layout) && Array.isArray(layout.dim) ? layout.dim : [];
  let joints: number[];
  if (dims.length === 0) joints = jointNames.map((_, i) => i);
  else {
    const first = dims[0];
    if (!isRecord(first) || typeof first.label !== 'string') return { ok: false, error: "effort command 'layout.dim[0].label' must name the joints (comma-separated)" };
    joints = [];
    for (const name of first.label.split(',').map((s) => s.trim())) {
      const i = jointNames.indexOf(name);
      if (i < 0) return { ok: false, error: `effort command names joint '${name}', which this robot does not have (joints: ${jointNames.join(', ')})` };
      if (joints.includes(i)) return { ok: false, error: `effort command names joint '${name}' twice` };
      joints.push(i);
    }
  }
  const data = checkFloat64MultiArray(msg, joints.length);
  if (!data.ok) return data;
  return { ok: true, value: { joints, torquesNm: data.value } };
}

function isNumberArray(v: unknown): v is number[] {
  // NaN cannot arrive through JSON (it encodes as null), so a null here is a rejected NaN
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export function checkJointState(msg: Record<string, unknown>): Checked<JointStateMsg> {
  if (!Array.isArray(msg.name) || !msg.name.every((n) => typeof n === 'string')) return { ok: false, error: "JointState 'name' must be a list of strings" };
  const n = msg.name.length;
  for (const key of ['position', 'velocity', 'effort'] as const) {
    const v = msg[key];
    if (!isNumberArray(v)) return { ok: false, error: `JointState '${key}' must be a list of finite numbers` };
    // ROS allows empty velocity/effort; position must be there for a joint-state consumer
    if (v.length !== n && !(key !== 'position' && v.length === 0)) return { ok: false, error: `JointState '${key}' has ${v.length} values for ${n} joints` };
  }
  return { ok: true, value: msg as unknown as JointStateMsg };
}

export function checkPoseStamped(msg: Record<string, unknown>): Checked<PoseStampedMsg> {
  const pose = msg.pose;
  if (!isRecord(pose) || !isRecord(pose.position) || !isRecord(pose.orientation)) return { ok: false, error: "PoseStamped needs 'pose.position' and 'pose.orientation'" };
  for (const k of ['x', 'y', 'z']) {
    if (typeof pose.position[k] !== 'number' || !Number.isFinite(pose.position[k])) return { ok: false, error: `PoseStamped 'pose.position.${k}' must be a finite number` };
  }
  for (const k of ['x', 'y', 'z', 'w']) {
    if (typeof pose.orientation[k] !== 'number' || !Number.isFinite(pose.orientation[k])) return { ok: false, error: `PoseStamped 'pose.orientation.${k}' must be a finite number` };
  }
  return { ok: true, value: msg as unknown as PoseStampedMsg };
}

/** The data of a command; rejects NaN/null and non-numbers (the emulator's last line of defence). */
export function checkFloat64MultiArray(msg: Record<string, unknown>, expectedLength: number): Checked<number[]> {
  const data = msg.data;
  if (!Array.isArray(data)) return { ok: false, error: "Float64MultiArray 'data' must be a list" };
  if (data.length !== expectedLength) return { ok: false, error: `Float64MultiArray has ${data.length} values, expected ${expectedLength}` };
  if (!isNumberArray(data)) return { ok: false, error: 'Float64MultiArray data must be finite numbers' };
  return { ok: true, value: data };
}

export function checkTriggerResponse(values: unknown): Checked<TriggerResponse> {
  if (!isRecord(values) || typeof values.success !== 'boolean') return { ok: false, error: "Trigger response needs a boolean 'success'" };
  return { ok: true, value: { success: values.success, message: typeof values.message === 'string' ? values.message : '' } };
}

const STATES: readonly RobotState[] = ['armed', 'running', 'halted'];

export function checkStatus(msg: Record<string, unknown>): Checked<RobotStatus> {
  if (typeof msg.data !== 'string') return { ok: false, error: "status String needs 'data'" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(msg.data);
  } catch {
    return { ok: false, error: 'status data is not JSON' };
  }
  if (!isRecord(parsed) || !STATES.includes(parsed.state as RobotState) || typeof parsed.episode !== 'number') {
    return { ok: false, error: 'status data needs state (armed|running|halted) and episode' };
  }
  if (parsed.emulator !== undefined && typeof parsed.emulator !== 'boolean') return { ok: false, error: 'status emulator must be true or false' };
  return { ok: true, value: parsed as unknown as RobotStatus };
}
