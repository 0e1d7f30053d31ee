/**
 * The simulated Env: one Rapier world per env, reused for every episode (Wasm memory never
 * shrinks). A control step is: clip the action, add action noise, pass it through the action-delay
 * line, move the joint position targets, run `decimation` physics steps, observe, check for an
 * explosion, sense (sensing.ts: the robot's sensors channel by channel), add observation noise.
 *
 * Randomness: parameters drawn at startup come from the experiment seed; everything else in an
 * episode (its parameters, its start, its noise) from the episode seed alone, and the world is
 * restored from a snapshot at reset, so an episode's trace does not depend on what ran before it
 * or on which worker runs it.
 */
import type { Experiment } from '../config/experiment';
import { Rng, deriveSeed } from '../util/rng';
import { ActionDelayLine } from './actionDelay';
import type { Env, EpisodeSample, StepResult } from './env';
import { initRapier } from './rapier';
import { SimSensing } from './sensing';
import { applyPhysics, calibratedSample, drawSlot, drawSlots, sampleSlots, valueOf, type SampleSlot } from './randomizer';
import { ARM, JOINT_COUNT, placeArm } from './tasks/arm';
import { TASK_DEFINITIONS } from './tasks';
import { TableScene } from './tasks/tableScene';
import { newEpisodeStart, type EpisodeStart, type TaskDefinition } from './tasks/task';
import { SEED_STREAMS } from '../util/seedStreams';
import { endExploded, exploded, scoreStep, startEpisode } from './stepOutcome';

export interface SimEnvOptions {
  /** Draw the experiment's randomization; false runs the nominal scene. */
  readonly randomize: boolean;
  /** Solver iterations per physics step (Rapier's soft-TGS substeps). [default: 4] */
  readonly solverIterations?: number;
  /**
   * An observation entry beyond this magnitude (m, rad, m/s, rad/s) or not finite ends the episode
   * as 'exploded': the table is about 1 m across and no joint turns at 50 rad/s. [default: 50]
   */
  readonly explosionLimit?: number;
}

/** Largest action delay the delay line holds, control steps (parameters.ts allows up to 50). */
const MAX_DELAY_STEPS = 50;
/** Create a simulated env for the experiment's task (initialises Rapier in this thread if needed). */
export async function createEnv(experiment: Experiment, options: SimEnvOptions): Promise<SimEnv> {
  await initRapier();
  return new SimEnv(experiment, options);
}

export class SimEnv implements Env {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly maxEpisodeSteps: number;
  readonly observation: Float64Array;
  readonly sample: EpisodeSample = {};
  readonly task: TaskDefinition;
  readonly scene: TableScene;
  /** Noise-free observation of the current state. */
  readonly trueObservation: Float64Array;
  /** Joint position targets the motors track, rad. */
  readonly jointTargetsRad: Float64Array;
  /** The action the motors received at the last step (after noise and delay), in [-1, 1]. */
  readonly appliedAction: Float64Array;
  /** Control steps taken in the current episode. */
  episodeStep = 0;
  /** Physics steps per control step. */
  readonly decimation: number;

  private readonly episodeSlots: SampleSlot[] = [];
  private readonly intervalSlots: SampleSlot[] = [];
  private readonly startupSlots: SampleSlot[] = [];
  private readonly intervalSteps: number[] = [];
  private readonly start: EpisodeStart = newEpisodeStart();
  private readonly delayLine: ActionDelayLine;
  private readonly sensing: SimSensing;
  private readonly noisyAction: Float64Array;
  private readonly result: StepResult = { reward: 0, done: true, success: false, termination: 'none' };
  private readonly explosionLimit: number;
  private noiseRng = new Rng(0);
  private intervalRng = new Rng(0);
  private actionNoiseStd = 0;
  private observationNoiseStd = 0;
  private disposed = false;

  constructor(experiment: Experiment, options: SimEnvOptions) {
    const task = TASK_DEFINITIONS[experiment.task];
    if (!task) throw new Error(`unknown task '${experiment.task}'`);
    this.task = task;
    this.observationSize = task.info.observationSize;
    this.actionSize = task.info.actionSize;
    this.maxEpisodeSteps = task.info.maxEpisodeSteps;
    this.decimation = task.decimation;
    this.observation = new Float64Array(this.observationSize);
    this.trueObservation = new Float64Array(this.observationSize);
    this.jointTargetsRad = new Float64Array(JOINT_COUNT);
    this.appliedAction = new Float64Array(this.actionSize);
    this.noisyAction = new Float64Array(this.actionSize);
    this.delayLine = new ActionDelayLine(this.actionSize, MAX_DELAY_STEPS);
    this.sensing = new SimSensing(task);
    this.explosionLimit = options.explosionLimit ?? 50;
    this.scene = new TableScene({
      withPuck: task.withPuck,
      timestepS: task.controlPeriodS / task.decimation,
      solverIterations: options.solverIterations,
    });
    // calibrated nominal values first: draws overwrite their own keys, the rest keep these
    calibratedSample(experiment.calibration, task.info, this.sample);
    if (options.randomize) {
      for (const slot of sampleSlots(experiment.randomization, task.info, experiment.calibration)) {
        const mode = slot.entry.resample;
        if (mode === 'startup') this.startupSlots.push(slot);
        else if (mode === 'interval') {
          const every = slot.entry.intervalSteps;
          if (!every || every < 1) throw new Error(`'${slot.entry.name}': resample 'interval' needs intervalSteps >= 1`);
          this.intervalSlots.push(slot);
          this.intervalSteps.push(every);
        } else this.episodeSlots.push(slot);
      }
      drawSlots(this.startupSlots, new Rng(deriveSeed(experiment.seed, SEED_STREAMS.experiment.startupRandomization, 0)), this.sample);
    }
  }

  reset(episodeSeed: number): void {
    this.assertLive();
    const scene = this.scene;
    scene.restore();
    drawSlots(this.episodeSlots, new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.parameters, 0)), this.sample);
    this.intervalRng = new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.interval, 0));
    drawSlots(this.intervalSlots, this.intervalRng, this.sample);
    this.noiseRng = new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.observationNoise, 0));
    this.applyParameters();

    this.task.sampleStart(new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.start, 0)), this.start);
    const q = this.start.jointAnglesRad;
    placeArm(scene.arm, q);
    for (let i = 0; i < JOINT_COUNT; i++) {
      this.jointTargetsRad[i] = q[i];
      scene.setJointTarget(i, q[i]);
    }
    if (scene.puck) scene.placePuck(this.start.puckXY[0], this.start.puckXY[1]);
    this.appliedAction.fill(0);
    this.episodeStep = 0;
    startEpisode(this.result);
    this.task.observe(scene, this.start, this.trueObservation);
    this.sensing.reset(new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.sensing, 0)), this.trueObservation, this.observation);
    this.addObservationNoise();
  }

  step(action: ArrayLike<number>): StepResult {
    this.assertLive();
    const r = this.result;
    if (r.done) return r; // the episode is over until the next reset()
    this.resampleIntervals();
    const n = this.actionSize;
    const noisy = this.noisyAction;
    for (let i = 0; i < n; i++) {
      // A non-finite action would poison the solver: treat it as "hold".
      let a = Number.isFinite(action[i]) ? clip1(action[i]) : 0;
      if (this.actionNoiseStd > 0) a = clip1(a + this.noiseRng.gaussian(0, this.actionNoiseStd));
      noisy[i] = a;
    }
    this.delayLine.push(noisy, this.appliedAction);
    const scene = this.scene;
    const maxStep = this.task.maxTargetStepRad;
    const periodS = this.controlPeriodS;
    for (let i = 0; i < JOINT_COUNT; i++) {
      const [low, high] = ARM.jointLimitsRad[i];
      const previous = this.jointTargetsRad[i];
      const target = Math.min(high, Math.max(low, previous + this.appliedAction[i] * maxStep));
      this.jointTargetsRad[i] = target;
      // Velocity feed-forward: the target moves as a ramp over the control period, and the
      // motor tracks the ramp instead of lagging behind a staircase.
      scene.setJointTarget(i, target, (target - previous) / periodS);
    }
    for (let k = 0; k < this.decimation; k++) scene.step();
    this.episodeStep++;

    const truth = this.trueObservation;
    this.task.observe(scene, this.start, truth);
    if (exploded(truth, this.explosionLimit)) {
      truth.set(this.observation); // keep the last finite state (noise included) for whoever looks
      return endExploded(r, this.episodeStep, this.maxEpisodeSteps); // the observation keeps its last finite value
    }
    scoreStep(r, this.task.reward(truth), this.task.success(truth), this.episodeStep, this.maxEpisodeSteps);
    this.sensing.step(truth, periodS, this.observation);
    this.addObservationNoise();
    return r;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.scene.dispose();
  }

  /** Control period of the current episode, s (action_timestep). */
  get controlPeriodS(): number {
    return this.scene.world.timestep * this.decimation;
  }

  private applyParameters(): void {
    const s = this.sample;
    applyPhysics(this.scene, s, this.task.info);
    this.applyControlParameters();
    this.delayLine.reset(valueOf(s, 'action_delay'));
  }

  private resampleIntervals(): void {
    const slots = this.intervalSlots;
    if (slots.length === 0 || this.episodeStep === 0) return;
    let changed = false;
    for (let i = 0; i < slots.length; i++) {
      if (this.episodeStep % this.intervalSteps[i] !== 0) continue;
      drawSlot(slots[i], this.intervalRng, this.sample);
      changed = true;
    }
    if (!changed) return;
    // Physics parameters change in place; the delay line keeps the actions already queued.
    applyPhysics(this.scene, this.sample, this.task.info);
    this.applyControlParameters();
    this.delayLine.setDelay(valueOf(this.sample, 'action_delay'));
  }

  private applyControlParameters(): void {
    const s = this.sample;
    this.scene.setTimestep(valueOf(s, 'action_timestep') / this.decimation);
    this.actionNoiseStd = valueOf(s, 'action_noise');
    this.observationNoiseStd = valueOf(s, 'observation_noise');
    this.sensing.configure(s);
  }

  /** observation_noise: on every entry, after the sensors' own noise (sensing.ts). */
  private addObservationNoise(): void {
    const std = this.observationNoiseStd;
    if (!(std > 0)) return;
    const out = this.observation;
    for (let i = 0; i < out.length; i++) out[i] += this.noiseRng.gaussian(0, std);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('env used after dispose()');
  }
}

function clip1(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}
