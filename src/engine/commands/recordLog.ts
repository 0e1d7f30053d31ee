/**
 * `sim2real record-log PROFILE --out LOG.csv|LOG.mcap [--duration S] [--seed N] [--json]`: record a
 * system identification log from the reality emulator's plant (joints in effort mode, an
 * excitation inside the joint limits), to try `sim2real sysid FILE --log LOG` without a robot.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { ProfileError, loadRealityProfileFile } from '../emulator/realityProfileLoader';
import { recordExcitationLog } from '../sysid/logs/record';
import { trajectoryToCsv, trajectoryToMcap } from '../sysid/logs/write';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './types';

export const recordLogCommand: CliCommand = {
  name: 'record-log',
  usage: 'record-log PROFILE.yaml --out LOG.csv|LOG.mcap [--duration S] [--seed N] [--json]',
  summary: 'Record a system identification log (joint states, measured and commanded torques) from the reality emulator.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { out: 'string', duration: 'number', seed: 'number', json: 'boolean' });
    if (positional.length !== 1) throw new UsageError('name one reality profile (e.g. examples/reality/moderate.yaml)');
    const out = flags.out as string | undefined;
    if (!out) throw new UsageError('--out LOG.csv or --out LOG.mcap is required');
    const format = extname(out).toLowerCase();
    if (format !== '.csv' && format !== '.mcap') throw new UsageError(`--out must name a .csv or .mcap file, got '${out}'`);
    const duration = (flags.duration as number | undefined) ?? 20;
    if (!(duration >= 1 && duration <= 600)) throw new UsageError('--duration needs a number of seconds from 1 to 600');
    const seed = flags.seed as number | undefined;
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UsageError('--seed needs a whole number >= 0');
    if (!existsSync(dirname(out) || '.')) {
      process.stderr.write(`sim2real record-log: no such folder '${dirname(out)}' for --out.\n`);
      return 1;
    }
    let profile;
    try {
      profile = loadRealityProfileFile(positional[0]!);
    } catch (e) {
      process.stderr.write(`sim2real record-log: ${e instanceof ProfileError ? e.message : `cannot read '${positional[0]}': ${(e as Error).message}`}\n`);
      return 1;
    }
    const log = await recordExcitationLog(profile, { durationS: duration, ...(seed !== undefined ? { seed } : {}) });
    writeFileSync(out, format === '.csv' ? trajectoryToCsv(log) : await trajectoryToMcap(log));
    const summary = { file: out, profile: profile.name, durationS: duration, samples: log.timeS.length, commands: log.command.timeS.length };
    process.stdout.write(flags.json ? JSON.stringify(summary) + '\n' : `wrote ${out}: ${summary.samples} joint-state samples and ${summary.commands} torque commands over ${duration} s from profile '${profile.name}'\n`);
    return 0;
  },
};
