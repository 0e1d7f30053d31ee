/**
 * Writing a trajectory as a log: CSV (one row per joint-state sample, the command in force at
 * that time in `<joint>_command`) or MCAP (sensor_msgs/JointState on /joint_states and
 * std_msgs/Float64MultiArray on the command topic, JSON-encoded, uncompressed chunks).
 */
import { McapWriter, type IWritable } from '@mcap/core';
import { DEFAULT_TOPICS } from './mapping';
import type { JointTrajectory } from './trajectory';

export function trajectoryToCsv(log: JointTrajectory): string {
  const J = log.joints;
  const header = ['time', ...J.map((j) => `${j}_position`)];
  if (log.velocityRadPerS) header.push(...J.map((j) => `${j}_velocity`));
  if (log.effortNm) header.push(...J.map((j) => `${j}_effort`));
  header.push(...J.map((j) => `${j}_command`));
  const lines = [header.join(',')];
  const cmdTime = log.command.timeS;
  let c = -1;
  for (let i = 0; i < log.timeS.length; i++) {
    const t = log.timeS[i]!;
    while (c + 1 < cmdTime.length && cmdTime[c + 1]! <= t + 1e-9) c++;
    if (c < 0) continue; // a CSV row needs the command in force
    const row = [fmt(t)];
    for (let j = 0; j < J.length; j++) row.push(fmt(log.positionRad[j]![i]!));
    if (log.velocityRadPerS) for (let j = 0; j < J.length; j++) row.push(fmt(log.velocityRadPerS[j]![i]!));
    if (log.effortNm) for (let j = 0; j < J.length; j++) row.push(fmt(log.effortNm[j]![i]!));
    for (let j = 0; j < J.length; j++) row.push(fmt(log.command.values[j]![c]!));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Nine significant digits: far below any sensor's resolution, and CSV and MCAP logs fit alike. */
function fmt(v: number): string {
  return String(Number(v.toPrecision(9)));
}

class MemoryWritable implements IWritable {
  private readonly chunks: Uint8Array[] = [];
  private size = 0n;
  write(buffer: Uint8Array): Promise<void> {
    this.chunks.push(buffer.slice());
    this.size += BigInt(buffer.byteLength);
    return Promise.resolve();
  }
  position(): bigint {
    return this.size;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(Number(this.size));
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return out;
  }
}

export async function trajectoryToMcap(log: JointTrajectory, topics: { jointStates: string; command: string } = DEFAULT_TOPICS): Promise<Uint8Array> {
  const out = new MemoryWritable();
  const writer = new McapWriter({ writable: out });
  await writer.start({ profile: 'ros2', library: 'sim2real-workbench' });
  const encoder = new TextEncoder();
  const jsonSchema = (title: string, properties: Record<string, unknown>) => encoder.encode(JSON.stringify({ title, type: 'object', properties }));
  const numbers = { type: 'array', items: { type: 'number' } };
  const stateSchema = await writer.registerSchema({ name: 'sensor_msgs/msg/JointState', encoding: 'jsonschema', data: jsonSchema('sensor_msgs/msg/JointState', { header: { type: 'object' }, name: { type: 'array', items: { type: 'string' } }, position: numbers, velocity: numbers, effort: numbers }) });
  const commandSchema = await writer.registerSchema({ name: 'std_msgs/msg/Float64MultiArray', encoding: 'jsonschema', data: jsonSchema('std_msgs/msg/Float64MultiArray', { layout: { type: 'object' }, data: numbers }) });
  const states = await writer.registerChannel({ topic: topics.jointStates, messageEncoding: 'json', schemaId: stateSchema, metadata: new Map() });
  const command = await writer.registerChannel({ topic: topics.command, messageEncoding: 'json', schemaId: commandSchema, metadata: new Map() });
  const J = log.joints.length;
  const ns = (t: number) => BigInt(Math.round(t * 1e9));
  // interleave both streams in time order, as a recorder would receive them
  let c = 0;
  let sequence = 0;
  for (let i = 0; i <= log.timeS.length; i++) {
    const t = i < log.timeS.length ? log.timeS[i]! : Infinity;
    while (c < log.command.timeS.length && log.command.timeS[c]! <= t) {
      const tc = log.command.timeS[c]!;
      const data = Array.from({ length: J }, (_, j) => Number(log.command.values[j]![c]!.toPrecision(9)));
      await writer.addMessage({ channelId: command, sequence: sequence++, logTime: ns(tc), publishTime: ns(tc), data: encoder.encode(JSON.stringify({ layout: { dim: [], data_offset: 0 }, data })) });
      c++;
    }
    if (i === log.timeS.length) break;
    const sec = Math.floor(t);
    const msg = {
      header: { stamp: { sec, nanosec: Math.round((t - sec) * 1e9) }, frame_id: '' },
      name: [...log.joints],
      position: Array.from({ length: J }, (_, j) => Number(log.positionRad[j]![i]!.toPrecision(9))),
      velocity: log.velocityRadPerS ? Array.from({ length: J }, (_, j) => Number(log.velocityRadPerS![j]![i]!.toPrecision(9))) : [],
      effort: log.effortNm ? Array.from({ length: J }, (_, j) => Number(log.effortNm![j]![i]!.toPrecision(9))) : [],
    };
    await writer.addMessage({ channelId: states, sequence: sequence++, logTime: ns(t), publishTime: ns(t), data: encoder.encode(JSON.stringify(msg)) });
  }
  await writer.end();
  return out.bytes();
}
