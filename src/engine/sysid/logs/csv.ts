/**
 * CSV logs: one header row naming the columns, then one row per joint-state sample holding the
 * time, the joint positions, optionally the velocities, and the command in force at that time.
 * Lines starting with '#' are comments. Every error names the file, line and column.
 */
import type { LogMapping } from './mapping';
import { LogError, TIME_UNIT_S, checkIncreasing, type JointTrajectory } from './trajectory';

export function parseCsvLog(text: string, mapping: LogMapping, file: string): JointTrajectory {
  // a UTF-8 byte-order mark (spreadsheet exports) is not part of the first column's name
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== '' && !t.startsWith('#')) {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) throw new LogError(`${file}: empty log: no header row`);
  const header = lines[headerLine]!.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const at = (line: number): string => `${file}:${line + 1}`;

  const column = (name: string, what: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new LogError(`${at(headerLine)}: no column '${name}' (${what}); the header has: ${header.join(', ')}`);
    return index;
  };
  const perJoint = (names: readonly string[], what: string, key: string): number[] => {
    if (names.length !== mapping.joints.length) {
      throw new LogError(`system_identification.log.${key} lists ${names.length} columns; the arm has ${mapping.joints.length} joints (${mapping.joints.join(', ')})`);
    }
    return names.map((name, j) => column(name, `${what} of joint '${mapping.joints[j]}', system_identification.log.${key}[${j}]`));
  };

  const timeCol = column(mapping.timeColumn, 'time, system_identification.log.time_column');
  const positionCols = perJoint(mapping.positionColumns, 'position', 'joint_position_columns');
  const commandCols = perJoint(mapping.commandColumns, `${mapping.commandKind} command`, 'command_columns');
  const optional = (names: readonly string[] | undefined, suffix: string, what: string, key: string): number[] | undefined => {
    if (names) return perJoint(names, what, key);
    // default names: all or nothing, so a log with some of them is not silently half-used
    const defaults = mapping.joints.map((j) => `${j}_${suffix}`);
    const present = defaults.filter((n) => header.includes(n));
    if (present.length === defaults.length) return defaults.map((n) => header.indexOf(n));
    if (present.length > 0) {
      const missing = defaults.filter((n) => !header.includes(n));
      throw new LogError(`${at(headerLine)}: ${what} columns ${present.join(', ')} but no ${missing.join(', ')}; log every joint's ${what} or none`);
    }
    return undefined;
  };
  const velocityCols = optional(mapping.velocityColumns, 'velocity', 'velocity', 'joint_velocity_columns');
  const effortCols = optional(mapping.effortColumns, 'effort', 'measured effort', 'joint_effort_columns');

  const rows: number[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== '' && !t.startsWith('#')) rows.push(i);
  }
  const n = rows.length;
  const time = new Float64Array(n);
  const position = mapping.joints.map(() => new Float64Array(n));
  const velocity = velocityCols ? mapping.joints.map(() => new Float64Array(n)) : undefined;
  const command = mapping.joints.map(() => new Float64Array(n));
  const effort = effortCols ? mapping.joints.map(() => new Float64Array(n)) : undefined;
  const scale = TIME_UNIT_S[mapping.timeUnit];

  for (let r = 0; r < n; r++) {
    const line = rows[r]!;
    const cells = lines[line]!.split(',');
    if (cells.length !== header.length) {
      throw new LogError(`${at(line)}: ${cells.length} cells, the header has ${header.length} columns`);
    }
    const read = (col: number): number => {
      const raw = cells[col]!.trim();
      const where = `${at(line)}:${columnOffset(cells, col)} (column '${header[col]}')`;
      if (raw === '') throw new LogError(`${where}: empty cell`);
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new LogError(`${where}: '${raw}' is not a finite number`);
      return v;
    };
    time[r] = read(timeCol) * scale;
    for (let j = 0; j < mapping.joints.length; j++) {
      position[j]![r] = read(positionCols[j]!);
      command[j]![r] = read(commandCols[j]!);
      if (velocity) velocity[j]![r] = read(velocityCols![j]!);
      if (effort) effort[j]![r] = read(effortCols![j]!);
    }
  }
  checkIncreasing(time, 'sample', (i) => `${at(rows[i]!)} (column '${mapping.timeColumn}')`);
  // a row repeats the command in force; a command was sent where the values change (as on a topic)
  const sent: number[] = [];
  for (let r = 0; r < n; r++) if (r === 0 || command.some((c) => c[r] !== c[r - 1])) sent.push(r);
  const commandTime = Float64Array.from(sent, (r) => time[r]!);
  const commandValues = command.map((c) => Float64Array.from(sent, (r) => c[r]!));
  return {
    joints: mapping.joints,
    timeS: time,
    positionRad: position,
    ...(velocity ? { velocityRadPerS: velocity } : {}),
    ...(effort ? { effortNm: effort } : {}),
    command: { kind: mapping.commandKind, timeS: commandTime, values: commandValues },
  };
}

/** 1-based character column where cell `col` starts. */
function columnOffset(cells: readonly string[], col: number): number {
  let offset = 1;
  for (let c = 0; c < col; c++) offset += cells[c]!.length + 1;
  return offset;
}
