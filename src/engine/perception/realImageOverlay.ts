/**
 * The seed's RealImageOverlay: observations in which the policy sees the puck through the camera.
 * A wrapped simulator renders its own state every control step (the look drawn per episode by
 * `appearanceFor`, which may carry textures cut from real camera images: see realTextures.ts),
 * the perception model estimates the puck's table position from that image, and the estimate
 * replaces the true puck position in the observation (puck velocity: the change of the estimate
 * over one control period, as a robot tracker differentiates its positions). Every other
 * observation entry is the simulator's. On the robot the same model reads the camera topic, so a
 * policy trained here runs from pixels on both sides.
 */
import type { Env, EpisodeSample, StepResult } from '../sim/env';
import type { SimEnv } from '../sim/simEnv';
import { Rng, deriveSeed } from '../util/rng';
import type { Appearance } from '../vision/appearance';
import type { Camera } from '../vision/camera';
import { renderCamera } from '../vision/renderer';
import { emptySceneView, sceneViewOf } from '../vision/sceneView';
import type { RgbImage } from '../vision/types';
import type { PuckNet } from './puckNet';
import { SEED_STREAMS } from '../util/seedStreams';

/** push's observation layout (sim/tasks/push.ts): puck xy at 8-9, puck velocity xy at 10-11. */
export const PUSH_PUCK_POSITION_INDEX = 8;
export const PUSH_PUCK_VELOCITY_INDEX = 10;

export interface RealImageOverlayOptions {
  readonly camera: Camera;
  /** The episode's look (drawn once per reset). */
  appearanceFor(rng: Rng, sample: EpisodeSample): Appearance;
  /** Control period, s (for the velocity estimate). */
  readonly controlPeriodS: number;
}

export class RealImageOverlay implements Env {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly maxEpisodeSteps: number;
  readonly observation: Float64Array;
  /** The last rendered camera image (what the perception model saw). */
  readonly image: RgbImage;
  /** Distance between the estimate and the true puck position at the last step, m. */
  lastErrorM = 0;
  private appearance!: Appearance;
  private readonly view = emptySceneView();
  private lookRng = new Rng(0);
  private previous = { x: 0, y: 0 };

  constructor(
    private readonly inner: SimEnv,
    private readonly net: PuckNet,
    private readonly options: RealImageOverlayOptions,
  ) {
    if (!inner.scene.puck) throw new Error('the real-image overlay needs a task with a puck (push)');
    this.observationSize = inner.observationSize;
    this.actionSize = inner.actionSize;
    this.maxEpisodeSteps = inner.maxEpisodeSteps;
    this.observation = new Float64Array(inner.observationSize);
    const { widthPx, heightPx } = options.camera.intrinsics;
    this.image = { width: widthPx, height: heightPx, data: new Uint8Array(widthPx * heightPx * 3) };
  }

  get sample(): EpisodeSample {
    return this.inner.sample;
  }

  reset(episodeSeed: number): void {
    this.inner.reset(episodeSeed);
    this.lookRng = new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.realImageLook, 0));
    this.appearance = this.options.appearanceFor(this.lookRng, this.inner.sample);
    const estimate = this.perceive();
    this.previous = estimate;
    this.write(estimate, 0, 0);
  }

  step(action: ArrayLike<number>): StepResult {
    const result = this.inner.step(action);
    const estimate = this.perceive();
    const dt = this.options.controlPeriodS;
    this.write(estimate, (estimate.x - this.previous.x) / dt, (estimate.y - this.previous.y) / dt);
    this.previous = estimate;
    return result;
  }

  dispose(): void {
    this.inner.dispose();
  }

  private perceive(): { x: number; y: number } {
    sceneViewOf(this.inner.scene, this.view);
    renderCamera(this.view, this.appearance, this.options.camera, { out: this.image, noiseRng: this.lookRng });
    const estimate = this.net.predict([this.image])[0]!;
    const truth = this.inner.trueObservation;
    this.lastErrorM = Math.hypot(estimate.x - truth[PUSH_PUCK_POSITION_INDEX]!, estimate.y - truth[PUSH_PUCK_POSITION_INDEX + 1]!);
    return estimate;
  }

  private write(estimate: { x: number; y: number }, vx: number, vy: number): void {
    this.observation.set(this.inner.observation);
    this.observation[PUSH_PUCK_POSITION_INDEX] = estimate.x;
    this.observation[PUSH_PUCK_POSITION_INDEX + 1] = estimate.y;
    this.observation[PUSH_PUCK_VELOCITY_INDEX] = vx;
    this.observation[PUSH_PUCK_VELOCITY_INDEX + 1] = vy;
  }
}
