/**
 * `sim2real sysid FILE --robot URL [--joints j1,j2] [--delay-trials N] [--noise-seconds S] [--sensors-only] [--json]
 * [--out DIR]` measures sensor noise at rest, then friction, inertia and delay on the robot (through the safety
 * layer); `--sensors-only` holds the robot still and measures only its sensors;
 * `sim2real sysid FILE --log LOG.(csv|mcap) [--json] [--out DIR]` fits them from a recorded log.
 * Human output is a table per joint (value ± standard error, units) and the delay; --json prints the
 * SysidResult; --out DIR writes DIR/sysid.json.
 */
import { existsSync } from 'node:fs';
import { sysid } from '../jobs/sysid';
import { normalizeRobotUrl } from '../rosbridge/addressPolicy';
import type { Estimate, SysidResult } from '../sysid/types';
import { parseArgs, UsageError } from './args';
import { experimentOrExit, runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';
import { pct } from '../../common/format';

export const sysidCommand: CliCommand = {
  name: 'sysid',
  usage: 'sysid FILE (--robot ws://HOST:PORT [--joints j1,j2] [--delay-trials N] [--noise-seconds S] [--sensors-only] | --log LOG.csv|LOG.mcap) [--json] [--out DIR]',
  summary: 'Identify joint friction, inertia (link masses), delay and (live) sensor noise on the robot or from a log, with standard errors.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { robot: 'string', log: 'string', joints: 'string[]', 'delay-trials': 'number', 'noise-seconds': 'number', 'sensors-only': 'boolean', json: 'boolean', out: 'string' });
    const file = positional[0];
    if (!file || positional.length > 1) throw new UsageError('name one experiment file: sim2real sysid FILE --robot URL | --log LOG');
    const robot = flags.robot as string | undefined;
    const logFile = flags.log as string | undefined;
    if ((robot === undefined) === (logFile === undefined)) throw new UsageError('give exactly one of --robot ws://HOST:PORT (measure live) or --log LOG.csv|LOG.mcap (fit a recording)');
    if (logFile !== undefined && (flags.joints !== undefined || flags['delay-trials'] !== undefined || flags['noise-seconds'] !== undefined || flags['sensors-only'] !== undefined)) throw new UsageError('--joints, --delay-trials, --noise-seconds and --sensors-only apply to --robot only');
    const sensorsOnly = flags['sensors-only'] === true;
    if (sensorsOnly && (flags.joints !== undefined || flags['delay-trials'] !== undefined)) throw new UsageError('--sensors-only measures no joint and no delay: drop --joints and --delay-trials');
    const delayTrials = flags['delay-trials'] as number | undefined;
    if (delayTrials !== undefined && (!Number.isInteger(delayTrials) || delayTrials < 0)) throw new UsageError('--delay-trials needs a whole number >= 0');
    const noiseSeconds = flags['noise-seconds'] as number | undefined;
    if (noiseSeconds !== undefined && !(Number.isFinite(noiseSeconds) && noiseSeconds >= 0)) throw new UsageError('--noise-seconds needs a number of seconds >= 0 (0 skips the sensor noise)');
    if (sensorsOnly && noiseSeconds === 0) throw new UsageError('--sensors-only needs --noise-seconds above 0');
    for (const [what, path] of [['experiment', file], ['log', logFile]] as const) {
      if (path !== undefined && !existsSync(path)) {
        process.stderr.write(`sim2real sysid: no such ${what} file '${path}'.\n`);
        return 1;
      }
    }
    const experiment = experimentOrExit('sysid', file, 'identified');
    if (typeof experiment === 'number') return experiment;
    // Torque commands go only to the robot the experiment names: --robot must be its robot.address.
    // Without a robot block the flag is the user's configuration, as for `eval --robot`.
    const configured = experiment.robot?.address;
    if (robot !== undefined && configured && normalizeRobotUrl(configured) !== normalizeRobotUrl(robot)) {
      process.stderr.write(`sim2real sysid: refused: --robot ${robot} is not the experiment's robot.address (${configured})\n`);
      return 1;
    }
    const quiet = flags.json === true;
    const questions = new TerminalQuestions();
    try {
      const outcome = await runCliJob(
        sysid,
        {
          file,
          source: robot !== undefined ? { kind: 'robot', address: robot, ...(sensorsOnly ? { sensorsOnly } : {}) } : { kind: 'log', file: logFile! },
          ...(flags.out !== undefined ? { outDir: flags.out as string } : {}),
          ...(flags.joints !== undefined ? { joints: flags.joints as string[] } : {}),
          ...(delayTrials !== undefined ? { delayTrials } : {}),
          ...(noiseSeconds !== undefined ? { noiseSeconds } : {}),
        },
        {
          command: 'sysid',
          usage: 'sysid FILE --robot URL',
          questions,
          onProgress: (p) => {
            if (!quiet) process.stderr.write(`${p.fraction !== undefined ? `[${pct(p.fraction, 0)}] ` : ''}${p.message}\n`);
          },
          onLog: (line) => {
            if (!quiet) process.stderr.write(`${line}\n`);
          },
        },
      );
      if ('code' in outcome) return outcome.code;
      process.stdout.write(flags.json ? `${JSON.stringify(outcome.result.result)}\n` : formatSysid(outcome.result.result));
      return 0;
    } finally {
      questions.close();
    }
  },
};

/** The human table: per joint b, c, I with standard errors and units, then the delay and the parameters to apply. */
export function formatSysid(result: SysidResult): string {
  const lines: string[] = [];
  const source = result.source.kind === 'robot' ? `robot ${result.source.address}` : `${result.source.format.toUpperCase()} log ${result.source.file}`;
  lines.push(`System identification of ${result.experiment} (${result.task}) from ${source}`);
  lines.push('');
  const header = ['joint', 'viscous b (N·m·s/rad)', 'Coulomb c (N·m)', 'inertia I (kg·m²)', 'points', 'RMS residual (N·m)'];
  const rows = [header];
  const joints = [...new Set([...result.friction.map((f) => f.joint), ...result.inertia.map((i) => i.joint)])];
  for (const joint of joints) {
    const f = result.friction.find((x) => x.joint === joint);
    const i = result.inertia.find((x) => x.joint === joint);
    rows.push([
      joint,
      f ? pm(f.viscousNmsPerRad) : '-',
      f ? pm(f.coulombNm) : '-',
      i ? pm(i.inertiaKgM2) : '-',
      f ? String(f.points.length) : '-',
      f ? f.rmsResidualNm.toPrecision(2) : '-',
    ]);
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // a sensors-only measurement has no joint fits: no empty table
  if (joints.length) for (const row of rows) lines.push(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  if (joints.length) lines.push('');
  const d = result.delay;
  if (d) lines.push(`delay: ${d.meanMs.toFixed(1)} ± ${d.stdMs.toFixed(1)} ms (median ${d.medianMs.toFixed(1)} ms) = ${d.meanSteps.toFixed(2)} control steps of ${d.controlPeriodMs} ms, ${d.samplesMs.length} samples`);
  const s = result.sensors;
  if (s) {
    lines.push(`sensor noise at rest (${s.durationS} s, ${s.jointStates} joint states): ` + s.joints.map((j) => `${j.joint} ${pm(j.positionNoiseRad)} rad, ${pm(j.velocityNoiseRadPerS)} rad/s`).join('; '));
    if (s.object) lines.push(`  ${s.object.object}: position ${pm(s.object.positionNoiseM)} m per axis, tracked at ${pm(s.object.trackingRateHz)} Hz (${s.object.poses} poses)`);
  }
  lines.push('');
  lines.push('parameters (apply as nominal values):');
  for (const p of result.identified) lines.push(`  ${p.parameter}${p.target ? `.${p.target}` : ''} = ${sig(p.value)} ± ${sig(p.stdError)} ${p.unit}`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

function pm(e: Estimate): string {
  return `${sig(e.value)} ± ${sig(e.stdError)}`;
}

function sig(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}
