/**
 * An environment module for the trainer's `envModule` option (worker threads load it by path):
 * the simulator wrapped in the RealImageOverlay, so ARS trains a policy that sees the puck only
 * through the perception model. The model and the real textures travel in the experiment object
 * (`perceptionLoop`), the one thing a worker receives.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import type { Env } from '../sim/env';
import { createEnv as createSimEnv } from '../sim/simEnv';
import { nominalAppearance } from '../vision/appearance';
import { decodeImageFile } from '../vision/textureFolder';
import { appearanceFromSample, nominalCamera } from '../vision/visualSample';
import { PuckNet, type PuckNetWeights } from './puckNet';
import { RealImageOverlay } from './realImageOverlay';
import { withRealTextures, type RealTextures } from './realTextures';

export interface PerceptionLoop {
  /** The perception model's weights (perception.weights.json). */
  readonly weightsPath: string;
  /** Folder with table.png, puck.png and background.json cut from real images, when the sim wears them. */
  readonly texturesDir?: string;
}

export type PerceptionLoopExperiment = Experiment & { readonly perceptionLoop: PerceptionLoop };

export function loadRealTextures(dir: string): RealTextures {
  const background = JSON.parse(readFileSync(join(dir, 'background.json'), 'utf8')) as { rgb: [number, number, number]; images: number };
  return { table: decodeImageFile(join(dir, 'table.png')), puck: decodeImageFile(join(dir, 'puck.png')), background: background.rgb, images: background.images };
}

export async function createEnv(experiment: Experiment, options: { randomize: boolean }): Promise<Env> {
  const loop = (experiment as Partial<PerceptionLoopExperiment>).perceptionLoop;
  if (!loop) throw new Error('perceivedEnv needs experiment.perceptionLoop (the perception model to run in the loop)');
  if (!existsSync(loop.weightsPath)) throw new Error(`no perception weights at ${loop.weightsPath}`);
  const net = PuckNet.fromWeights(JSON.parse(readFileSync(loop.weightsPath, 'utf8')) as PuckNetWeights);
  const textures = loop.texturesDir ? loadRealTextures(loop.texturesDir) : undefined;
  const sim = await createSimEnv(experiment, { randomize: options.randomize });
  return new RealImageOverlay(sim, net, {
    camera: nominalCamera(experiment),
    controlPeriodS: sim.task.controlPeriodS,
    appearanceFor: (rng, sample) => {
      const look = options.randomize ? appearanceFromSample(sample, experiment, rng) : nominalAppearance();
      return textures ? withRealTextures(look, textures) : look;
    },
  });
}

/** The module's path: the bundled build ships dist/perceived-env.js; from source it is this file. */
export function perceivedEnvModulePath(): string {
  const bundled = join(__dirname, 'perceived-env.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'perceivedEnv.ts');
}
