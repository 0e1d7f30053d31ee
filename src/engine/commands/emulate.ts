/**
 * `sim2real emulate --profile PROFILE.yaml [--host 127.0.0.1] [--port 9090] [--log EVENTS.jsonl]`:
 * run the reality emulator, a built-in task simulated as "the real robot", served over rosbridge v2
 * until SIGINT/SIGTERM. Prints `listening on ws://HOST:PORT` on stdout once ready (with --port 0 the
 * line tells which port was picked).
 */
import { existsSync } from 'node:fs';
import { RealityEmulator } from '../emulator/emulatorServer';
import { EventLog } from '../rosbridge/eventLog';
import { ProfileError, loadRealityProfileFile } from '../emulator/realityProfileLoader';
import { parseArgs } from './args';
import type { CliCommand } from './types';

export const emulateCommand: CliCommand = {
  name: 'emulate',
  usage: 'emulate --profile PROFILE.yaml [--host 127.0.0.1] [--port 9090] [--log EVENTS.jsonl]',
  summary: 'Run the reality emulator: a simulated "real robot" served over rosbridge v2.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { profile: 'string', host: 'string', port: 'number', log: 'string' });
    if (positional.length > 0) {
      process.stderr.write(`sim2real emulate: unexpected argument '${positional[0]}'.\n`);
      return 2;
    }
    const profilePath = flags.profile as string | undefined;
    if (!profilePath) {
      process.stderr.write('sim2real emulate: --profile PROFILE.yaml is required (examples/reality/ has mild, moderate and harsh).\n');
      return 2;
    }
    if (!existsSync(profilePath)) {
      process.stderr.write(`sim2real emulate: ${profilePath}: no such file.\n`);
      return 2;
    }
    const port = (flags.port as number | undefined) ?? 9090;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`sim2real emulate: --port must be 0-65535, got ${port}.\n`);
      return 2;
    }
    let profile;
    try {
      profile = loadRealityProfileFile(profilePath);
    } catch (error) {
      if (error instanceof ProfileError) {
        process.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const log = new EventLog(flags.log as string | undefined);
    let emulator: RealityEmulator;
    try {
      emulator = await RealityEmulator.start(profile, { host: (flags.host as string | undefined) ?? '127.0.0.1', port, log });
    } catch (error) {
      log.close();
      process.stderr.write(`sim2real emulate: cannot listen: ${(error as Error).message}\n`);
      return 1;
    }
    process.stdout.write(`listening on ${emulator.url} (profile ${profile.name}, task ${profile.task}, watchdog ${profile.watchdogMs} ms)\n`);
    await new Promise<void>((resolve) => {
      const shutdown = (): void => resolve();
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
    await emulator.close();
    log.close();
    return 0;
  },
};
