/**
 * Where a pipeline's real episodes go. Only the experiment's robot.address, or, for
 * `adapter: emulator`, a reality emulator the pipeline starts itself on a free loopback port with
 * the experiment's robot.profile (as `sim2real demo` does): never an address from elsewhere.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Experiment } from '../config/experiment';
import { spawnEmulatorProcess } from '../emulator/spawnEmulator';

export interface RobotTarget {
  readonly address: string;
  readonly profile?: string;
  readonly emulator: boolean;
  /** Stops the emulator the pipeline started; nothing for a robot. */
  close(): Promise<void>;
}

/** The bundled profile an emulator experiment without robot.profile runs. */
function bundledProfile(): string | undefined {
  for (const root of [resolve(__dirname, '..'), resolve(__dirname, '..', '..', '..')]) {
    const file = join(root, 'examples', 'reality', 'moderate.yaml');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** The CLI script that runs `sim2real emulate`: the bundle beside this code, or the source under tsx. */
export function cliScript(): string {
  for (const candidate of [join(__dirname, 'cli.js'), resolve(__dirname, '..', 'cli.ts')]) if (existsSync(candidate)) return candidate;
  throw new Error(`cannot find the sim2real CLI next to ${__dirname} to start the reality emulator`);
}

/**
 * The robot the pipeline talks to, or undefined when the experiment configures none. With
 * `startEmulator` and `adapter: emulator`, starts the emulator (the caller closes it).
 */
export async function openRobotTarget(experiment: Experiment, experimentFile: string, options: { startEmulator: boolean; logPath?: string; cliScript?: string }): Promise<RobotTarget | undefined> {
  const robot = experiment.robot;
  if (!robot) return undefined;
  if (robot.adapter !== 'emulator' || !options.startEmulator) {
    return { address: robot.address, ...(robot.profile ? { profile: robot.profile } : {}), emulator: robot.adapter === 'emulator', close: async () => {} };
  }
  const profile = robot.profile ? resolve(dirname(experimentFile), robot.profile) : bundledProfile();
  if (!profile || !existsSync(profile)) throw new Error(`reality profile not found: ${profile ?? '(none configured and the bundled one is missing)'}`);
  const emulator = await spawnEmulatorProcess({ cliScript: options.cliScript ?? cliScript(), profile, ...(options.logPath ? { logPath: options.logPath } : {}) });
  return { address: emulator.url, profile, emulator: true, close: () => emulator.stop() };
}
