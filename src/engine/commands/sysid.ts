/**
 * `sim2real sysid FILE --robot URL [--joints j1,j2] [--delay-trials N] [--noise-seconds S] [--sensors-only] [--json]
 * [--out DIR]` measures sensor noise at rest, then friction, inertia and delay on the robot (through the safety
 * layer); `--sensors-only` holds the robot still and measures only its sensors;
 * `sim2real sysid FILE --log LOG.(csv|mcap) [--json] [--out DIR]` fits them from a recorded log.
 * Human output is a table per joint (value ± standard error, units) and the delay; --json prints the
 * SysidResult; --out DIR writes DIR/sysid.json.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatFinding, loadExperiment } from '../config/load';
import { AddressNotAllowedError, normalizeRobotUrl } from '../rosbridge/addressPolicy';
import { RobotLinkError } from '../rosbridge/client';
import { configuredRobotAddresses } from '../robot/robotEnv';
import { MotionRefused } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { writeJsonAtomic } from '../util/atomicFile';
import { RUNS_FOLDER } from '../runs/runStore';
import { SysidError } from '../sysid/frictionFit';
import { identifyOnRobot } from '../sysid/live';
import { identifySensorsOnRobot } from '../sysid/sensorNoise';
import { LogError } from '../sysid/logs/trajectory';
import { identifyFromLog } from '../sysid/offline';
import { SYSID_FILE, type Estimate, type SysidResult } from '../sysid/types';
import { parseArgs, UsageError } from './args';
import { terminalAttendance, TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

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
    const loaded = loadExperiment(file);
    if (!loaded.experiment) {
      for (const finding of loaded.findings) process.stderr.write(`${formatFinding(file, loaded.lines, finding)}\n`);
      process.stderr.write('sim2real sysid: the experiment has errors; nothing was identified.\n');
      return 1;
    }
    const experiment = loaded.experiment;
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    const quiet = flags.json === true;
    const questions = new TerminalQuestions();
    const onProgress = (p: { fraction?: number; message: string }): void => {
      if (!quiet) process.stderr.write(`${p.fraction !== undefined ? `[${Math.round(100 * p.fraction)}%] ` : ''}${p.message}\n`);
    };
    try {
      let result: SysidResult;
      if (robot !== undefined) {
        // Torque commands go only to the robot the experiment names: --robot must be its robot.address.
        // Without a robot block the flag is the user's configuration, as for `eval --robot`.
        const configured = experiment.robot?.address;
        if (configured && normalizeRobotUrl(configured) !== normalizeRobotUrl(robot)) {
          throw new AddressNotAllowedError(`--robot ${robot} is not the experiment's robot.address (${configured})`);
        }
        const live = {
          noiseSeconds,
          allowedAddresses: configuredRobotAddresses(experiment, robot),
          signal: controller.signal,
          onProgress,
          log: (line: string) => {
            if (!quiet) process.stderr.write(`${line}\n`);
          },
          // the robot moves only with the person at this terminal (the bundled emulator excepted)
          attendance: terminalAttendance(questions, 'sysid FILE --robot URL'),
          path: sensorsOnly ? 'sim2real sysid --sensors-only' : 'sim2real sysid',
          motionLogPath: join((flags.out as string | undefined) ?? join(process.cwd(), RUNS_FOLDER, experiment.name), MOTION_LOG_FILE),
        };
        result = sensorsOnly
          ? await identifySensorsOnRobot(experiment, file, robot, live)
          : await identifyOnRobot(experiment, file, robot, { ...live, joints: flags.joints as string[] | undefined, delayTrials });
      } else {
        result = await identifyFromLog(experiment, file, logFile!, { signal: controller.signal, onProgress });
      }
      const out = flags.out as string | undefined;
      if (out !== undefined) {
        mkdirSync(out, { recursive: true });
        writeJsonAtomic(join(out, SYSID_FILE), result);
      }
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatSysid(result));
      return 0;
    } catch (error) {
      if (error instanceof AddressNotAllowedError || error instanceof MotionRefused) {
        process.stderr.write(`sim2real sysid: refused: ${error.message}\n`);
        return 1;
      }
      if (error instanceof RobotLinkError) {
        process.stderr.write(`sim2real sysid: robot: ${error.message}\n`);
        return 1;
      }
      if (error instanceof SysidError || error instanceof LogError) {
        process.stderr.write(`sim2real sysid: ${error.message}\n`);
        return 1;
      }
      if (error instanceof Error && error.name === 'AbortError') return 130;
      throw error;
    } finally {
      questions.close();
      process.off('SIGINT', onSignal);
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
