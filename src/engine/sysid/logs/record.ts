/**
 * Recording an identification log from the reality emulator's plant, as one would record a real
 * robot: the joints in effort (torque) mode, driven at the control rate by an excitation (a PD
 * pull towards a multisine reference inside the joint limits, plus random torque steps), every
 * command through the emulator's latency queue, and the reported (noisy, offset) joint states and
 * measured torques sampled at every physics step. The puck is moved out of the arm's reach first.
 */
import { Rng, deriveSeed } from '../../util/rng';
import { valueOf } from '../../sim/randomizer';
import { ARM, JOINT_COUNT } from '../../sim/tasks/arm';
import { LatencyQueue } from '../../emulator/effects/latencyQueue';
import { RealityPlant, type JointReadings } from '../../emulator/realityPlant';
import type { RealityProfile } from '../../emulator/realityProfileLoader';
import type { JointTrajectory } from './trajectory';
import { SEED_STREAMS } from '../../util/seedStreams';

export interface RecordOptions {
  /** Seconds of motion. [default: 20] */
  readonly durationS?: number;
  /** Seed of the excitation and of the plant's noise. [default: the profile's seed] */
  readonly seed?: number;
}

/** Excitation per joint: PD gains (N·m/rad, N·m·s/rad), reference amplitude (rad), random torque (N·m). */
const EXCITATION = {
  stiffness: [5, 1.2, 0.1],
  damping: [1.2, 0.25, 0.015],
  amplitudeRad: [0.4, 0.5, 0.6],
  randomTorqueNm: [0.3, 0.08, 0.015],
  /** Reference frequencies, Hz: slow sweeps and quick reversals, for friction at many speeds. */
  frequenciesHz: [0.23, 0.61, 1.37],
  maxTorqueNm: 5,
  /** RMS joint speed the excitation aims between, rad/s. */
  speedRadPerS: [0.2, 6],
} as const;
const ADAPT_EVERY_S = 1;
const MAX_SCALE = 16;

const PUCK_OUT_OF_REACH = [0.85, 0.55] as const;

export async function recordExcitationLog(profile: RealityProfile, options: RecordOptions = {}): Promise<JointTrajectory> {
  const seed = options.seed ?? profile.seed;
  const rng = new Rng(deriveSeed(seed, SEED_STREAMS.recordedLog.excitation, 0));
  const plant = await RealityPlant.create(profile, new Rng(deriveSeed(seed, SEED_STREAMS.recordedLog.plant, 0)));
  try {
    plant.resetEpisode();
    plant.scene.puck && plant.scene.placePuck(PUCK_OUT_OF_REACH[0], PUCK_OUT_OF_REACH[1]);
    const controlPeriodS = plant.task.controlPeriodS;
    const perControl = Math.max(1, Math.round(controlPeriodS / plant.dtS));
    // the emulator's latency: the profile's link latency plus action_delay control steps
    const extraMs = valueOf(plant.sample, 'action_delay') * controlPeriodS * 1000;
    const queue = new LatencyQueue(profile.effects.latencyMs + extraMs, profile.effects.latencyJitterMs, new Rng(deriveSeed(seed, SEED_STREAMS.recordedLog.latency, 0)));
    const steps = Math.round((options.durationS ?? 20) / plant.dtS);
    const n = steps + 1;
    const joints = plant.jointNames;
    const time = new Float64Array(n);
    const position = joints.map(() => new Float64Array(n));
    const velocity = joints.map(() => new Float64Array(n));
    const effort = joints.map(() => new Float64Array(n));
    const commandTime: number[] = [];
    const commands: number[][] = joints.map(() => []);
    const readings: JointReadings = { name: [...joints], position: [0, 0, 0], velocity: [0, 0, 0], effort: [0, 0, 0] };
    const phases = joints.map(() => EXCITATION.frequenciesHz.map(() => rng.uniform(0, 2 * Math.PI)));
    const record = (k: number, tS: number) => {
      plant.readJoints(readings);
      time[k] = tS;
      for (let j = 0; j < JOINT_COUNT; j++) {
        position[j]![k] = readings.position[j]!;
        velocity[j]![k] = readings.velocity[j]!;
        effort[j]![k] = readings.effort[j]!;
      }
    };
    record(0, 0);
    const all = [0, 1, 2];
    // Friction is unknown before the fit: a joint that barely moves gets more torque, one that
    // races gets less, judged from the measured speeds of the last second (as an operator would).
    const scale = [1, 1, 1];
    const window = Math.round(ADAPT_EVERY_S / plant.dtS);
    let seq = 0;
    for (let s = 0; s < steps; s++) {
      const tS = s * plant.dtS;
      if (s % perControl === 0) {
        const torques = new Float64Array(JOINT_COUNT);
        for (let j = 0; j < JOINT_COUNT; j++) {
          let ref = 0;
          let refRate = 0;
          EXCITATION.frequenciesHz.forEach((f, m) => {
            const w = 2 * Math.PI * f;
            const a = EXCITATION.amplitudeRad[j]! / EXCITATION.frequenciesHz.length;
            ref += a * Math.sin(w * tS + phases[j]![m]!);
            refRate += a * w * Math.cos(w * tS + phases[j]![m]!);
          });
          const [low, high] = ARM.jointLimitsRad[j]!;
          ref = Math.min(high * 0.8, Math.max(low * 0.8, ref));
          const pd = EXCITATION.stiffness[j]! * (ref - position[j]![s]!) + EXCITATION.damping[j]! * (refRate - velocity[j]![s]!);
          const kick = rng.uniform(-EXCITATION.randomTorqueNm[j]!, EXCITATION.randomTorqueNm[j]!);
          torques[j] = Math.max(-EXCITATION.maxTorqueNm, Math.min(EXCITATION.maxTorqueNm, scale[j]! * (pd + kick)));
          commands[j]!.push(torques[j]!);
        }
        commandTime.push(tS);
        queue.push(++seq, torques, tS * 1000);
      }
      for (const c of queue.popDue(tS * 1000 + 1e-6)) plant.commandEffort(all, c.targetsRad);
      plant.step();
      record(s + 1, (s + 1) * plant.dtS);
      if ((s + 1) % window === 0) {
        for (let j = 0; j < JOINT_COUNT; j++) {
          let sum = 0;
          for (let k = s + 2 - window; k <= s + 1; k++) sum += velocity[j]![k]! ** 2;
          const rms = Math.sqrt(sum / window);
          if (rms < EXCITATION.speedRadPerS[0]) scale[j] = Math.min(MAX_SCALE, scale[j]! * 1.5);
          else if (rms > EXCITATION.speedRadPerS[1]) scale[j] = Math.max(1 / MAX_SCALE, scale[j]! / 1.5);
        }
      }
    }
    return {
      joints,
      timeS: time,
      positionRad: position,
      velocityRadPerS: velocity,
      effortNm: effort,
      command: { kind: 'effort', timeS: Float64Array.from(commandTime), values: commands.map((c) => Float64Array.from(c)) },
    };
  } finally {
    plant.dispose();
  }
}
