/**
 * MCAP logs: joint states as sensor_msgs/JointState (name, position, velocity, effort) and commands as std_msgs/Float64MultiArray,
 * each on its topic, in the MCAP well-known `json` message encoding (the ROS field names as JSON
 * keys). Times are the messages' log times. Chunks may be uncompressed; compressed chunks (lz4,
 * zstd) and the `cdr`/`ros2msg` binary encodings are refused with an error that says so.
 */
import { McapStreamReader, type McapTypes } from '@mcap/core';
import type { LogMapping } from './mapping';
import { LogError, checkIncreasing, type JointTrajectory } from './trajectory';

interface JointStateMessage {
  name?: unknown;
  position?: unknown;
  velocity?: unknown;
  effort?: unknown;
}

export function parseMcapLog(bytes: Uint8Array, mapping: LogMapping, file: string): JointTrajectory {
  const reader = new McapStreamReader({ validateCrcs: true });
  const channels = new Map<number, McapTypes.Channel>();
  const states: { time: number; msg: JointStateMessage; index: number }[] = [];
  const commands: { time: number; data: unknown; index: number }[] = [];
  const topicsSeen = new Map<string, string>();
  try {
    reader.append(bytes);
    for (let record; (record = reader.nextRecord()); ) {
      if (record.type === 'Channel') {
        channels.set(record.id, record);
        topicsSeen.set(record.topic, record.messageEncoding);
      } else if (record.type === 'Message') {
        const channel = channels.get(record.channelId);
        if (!channel) throw new LogError(`${file}: message on unknown channel id ${record.channelId}`);
        if (channel.topic !== mapping.topics.jointStates && channel.topic !== mapping.topics.command) continue;
        if (channel.messageEncoding !== 'json') {
          throw new LogError(`${file}: topic ${channel.topic} uses message encoding '${channel.messageEncoding}'; only 'json' is supported (convert ROS 2 bags with JSON-encoded messages)`);
        }
        const index = channel.topic === mapping.topics.jointStates ? states.length : commands.length;
        let parsed: unknown;
        try {
          parsed = JSON.parse(new TextDecoder().decode(record.data));
        } catch {
          throw new LogError(`${file}: ${channel.topic} message ${index + 1} is not valid JSON`);
        }
        const time = Number(record.logTime) * 1e-9;
        if (channel.topic === mapping.topics.jointStates) states.push({ time, msg: parsed as JointStateMessage, index });
        else commands.push({ time, data: (parsed as { data?: unknown }).data, index });
      }
    }
  } catch (e) {
    if (e instanceof LogError) throw e;
    const message = (e as Error).message;
    if (/compression/i.test(message)) throw new LogError(`${file}: ${message}; only uncompressed MCAP chunks are supported`);
    throw new LogError(`${file}: not a readable MCAP file: ${message}`);
  }
  if (!reader.done()) throw new LogError(`${file}: MCAP file is truncated (no footer)`);
  for (const [topic, key] of [[mapping.topics.jointStates, 'joint_states'], [mapping.topics.command, 'command']] as const) {
    if (!topicsSeen.has(topic)) {
      throw new LogError(`${file}: no topic ${topic} (system_identification.log.topics.${key}); the log has: ${[...topicsSeen.keys()].join(', ') || 'no topics'}`);
    }
  }

  const J = mapping.joints.length;
  const n = states.length;
  const time = new Float64Array(n);
  const position = mapping.joints.map(() => new Float64Array(n));
  const velocity = mapping.joints.map(() => new Float64Array(n));
  const effort = mapping.joints.map(() => new Float64Array(n));
  let hasVelocity = true;
  let hasEffort = true;
  const where = (topic: string, i: number) => `${file}: ${topic} message ${i + 1}`;
  for (let i = 0; i < n; i++) {
    const { time: t, msg } = states[i]!;
    time[i] = t;
    const names = msg.name;
    if (!Array.isArray(names)) throw new LogError(`${where(mapping.topics.jointStates, i)}: no 'name' array`);
    const pos = numbers(msg.position, 'position', where(mapping.topics.jointStates, i), names.length);
    const vel = Array.isArray(msg.velocity) && msg.velocity.length > 0 ? numbers(msg.velocity, 'velocity', where(mapping.topics.jointStates, i), names.length) : undefined;
    if (!vel) hasVelocity = false;
    const eff = Array.isArray(msg.effort) && msg.effort.length > 0 ? numbers(msg.effort, 'effort', where(mapping.topics.jointStates, i), names.length) : undefined;
    if (!eff) hasEffort = false;
    for (let j = 0; j < J; j++) {
      const k = names.indexOf(mapping.joints[j]);
      if (k < 0) throw new LogError(`${where(mapping.topics.jointStates, i)}: no joint '${mapping.joints[j]}' in name [${names.join(', ')}]`);
      position[j]![i] = pos[k]!;
      if (vel) velocity[j]![i] = vel[k]!;
      if (eff) effort[j]![i] = eff[k]!;
    }
  }
  checkIncreasing(time, mapping.topics.jointStates, (i) => where(mapping.topics.jointStates, i));

  const commandTime = new Float64Array(commands.length);
  const commandValues = mapping.joints.map(() => new Float64Array(commands.length));
  for (let i = 0; i < commands.length; i++) {
    const { time: t, data } = commands[i]!;
    commandTime[i] = t;
    const values = numbers(data, 'data', where(mapping.topics.command, i), J);
    for (let j = 0; j < J; j++) commandValues[j]![i] = values[j]!;
  }
  checkIncreasing(commandTime, mapping.topics.command, (i) => where(mapping.topics.command, i));
  return {
    joints: mapping.joints,
    timeS: time,
    positionRad: position,
    ...(hasVelocity && n > 0 ? { velocityRadPerS: velocity } : {}),
    ...(hasEffort && n > 0 ? { effortNm: effort } : {}),
    command: { kind: mapping.commandKind, timeS: commandTime, values: commandValues },
  };
}

/** A message's numeric array: right length, every entry a finite number (JSON has no NaN: null marks one). */
function numbers(value: unknown, field: string, where: string, length: number): number[] {
  if (!Array.isArray(value)) throw new LogError(`${where}: no '${field}' array`);
  if (value.length !== length) throw new LogError(`${where}: '${field}' has ${value.length} entries, expected ${length}`);
  for (let k = 0; k < value.length; k++) {
    if (typeof value[k] !== 'number' || !Number.isFinite(value[k])) throw new LogError(`${where}: ${field}[${k}] is ${JSON.stringify(value[k])}, not a finite number`);
  }
  return value as number[];
}
