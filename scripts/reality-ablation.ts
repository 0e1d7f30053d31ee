/**
 * Which mismatches between the simulator and a reality profile cost a policy real success: the
 * policy is evaluated on the reality emulator once per variant of the profile, each variant with one
 * effect switched off or one group of parameters at the simulator's nominal value ("twin": all of
 * them). The figures in docs/calibration.md come from this script.
 *
 *   node --import tsx scripts/reality-ablation.ts POLICY.onnx EXPERIMENT.s2r.yaml [PROFILE.yaml] [--variants a,b] [--episodes 50]
 *
 * The watchdog is raised to 1 s in every variant: on a loaded machine a stall of the link past the
 * public 100 ms halts the evaluation, and that is not a physical mismatch. Every variant starts the
 * same episodes (the emulator's resets come from the profile's seed).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadExperiment } from '../src/engine/config/load';
import { evaluateOnRobot } from '../src/engine/robot/robotEvaluation';
import { spawnEmulatorProcess } from '../src/engine/emulator/spawnEmulator';

type Profile = { parameters: Record<string, unknown>; effects: Record<string, unknown>; rates?: Record<string, unknown>; camera?: unknown; watchdogMs?: number; physicsHz?: number };

const SENSOR_NOISE = ['jointPositionNoiseRad', 'jointVelocityNoiseRadPerS', 'jointEffortNoiseNm', 'objectPositionNoiseM', 'objectOrientationNoiseRad'];

/** Every effect off, every parameter at the simulator's nominal value: what is left is the link itself. */
function twin(p: Profile): void {
  p.parameters = { friction: 0.6, object_mass: 0.2, link_mass: 0.5, joint_damping: 0.05, table_height: 0.75, joint_stiffness: 40, motor_strength: 8, linear_damping: 0.5 };
  p.effects = {};
  p.rates = { jointStatesHz: 100, objectPoseHz: 50 };
  delete p.camera;
}

const VARIANTS: Record<string, (p: Profile) => void> = {
  full: () => undefined,
  twin,
  no_sensor_noise: (p) => SENSOR_NOISE.forEach((k) => (p.effects[k] = 0)),
  no_object_noise: (p) => Object.assign(p.effects, { objectPositionNoiseM: 0, objectOrientationNoiseRad: 0 }),
  no_joint_noise: (p) => Object.assign(p.effects, { jointPositionNoiseRad: 0, jointVelocityNoiseRadPerS: 0, jointEffortNoiseNm: 0 }),
  no_latency: (p) => Object.assign(p.effects, { latencyMs: 0, latencyJitterMs: 0 }),
  no_backlash: (p) => Object.assign(p.effects, { backlashRad: 0 }),
  no_joint_friction: (p) => {
    Object.assign(p.effects, { frictionCoulombNm: 0, frictionViscousNmsPerRad: 0 });
    p.parameters.joint_damping = 0.05;
  },
  no_encoder_offset: (p) => Object.assign(p.effects, { encoderOffsetRad: 0 }),
  nominal_actuator: (p) => {
    Object.assign(p.parameters, { joint_stiffness: 40, motor_strength: 8 });
    Object.assign(p.effects, { gainError: 0, torqueLimitNm: 0, backlashRad: 0 });
  },
  nominal_puck: (p) => Object.assign(p.parameters, { friction: 0.6, object_mass: 0.2, linear_damping: 0.5 }),
  nominal_links: (p) => Object.assign(p.parameters, { link_mass: 0.5, table_height: 0.75 }),
  physics_50hz: (p) => void (p.physicsHz = 50),
};

function option(name: string, args: string[]): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const variants = (option('--variants', args) ?? Object.keys(VARIANTS).join(',')).split(',');
  const episodes = Number(option('--episodes', args) ?? 50);
  const [policy, experimentFile, profileFile = 'examples/reality/moderate.yaml'] = args;
  if (!policy || !experimentFile) throw new Error('usage: reality-ablation.ts POLICY.onnx EXPERIMENT.s2r.yaml [PROFILE.yaml] [--variants a,b] [--episodes 50]');
  for (const v of variants) if (!VARIANTS[v]) throw new Error(`no variant '${v}' (variants: ${Object.keys(VARIANTS).join(', ')})`);
  const experiment = loadExperiment(experimentFile).experiment;
  if (!experiment) throw new Error(`${experimentFile} has errors: run sim2real validate`);
  const base = parse(readFileSync(profileFile, 'utf8')) as Profile;
  const dir = mkdtempSync(join(tmpdir(), 's2r-ablation-'));
  for (const name of variants) {
    const profile = structuredClone(base);
    profile.watchdogMs = 1000;
    VARIANTS[name]!(profile);
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, stringify(profile));
    const emulator = await spawnEmulatorProcess({ cliScript: resolve(__dirname, '../src/engine/cli.ts'), profile: path, startTimeoutMs: 120_000 });
    try {
      const report = await evaluateOnRobot(policy, experiment, emulator.url, {
        episodes,
        seed: experiment.seed,
        allowedAddresses: [emulator.url],
        attendance: { unattended: { why: 'the ablation script asks no questions', howToAttend: 'It runs the bundled emulator only.' } },
        path: 'scripts/reality-ablation.ts',
      });
      const ci = report.success_ci.map((x) => (100 * x).toFixed(0)).join('-');
      process.stdout.write(`${name.padEnd(18)} ${(100 * report.success_rate).toFixed(0).padStart(3)}% [${ci}] over ${report.episodes} episodes${report.halted ? ` (halted ${report.halted})` : ''}\n`);
    } finally {
      await emulator.stop();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
