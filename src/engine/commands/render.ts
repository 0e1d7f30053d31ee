/**
 * `sim2real render FILE [--seed N] [--count N] [--out frame.png] [--nominal] [--json]`: PNGs of the
 * camera image of randomized episodes, so users see what their visual randomization does.
 * `sim2real render [FILE] --robot ws://HOST:PORT --out real.png`: save the robot's (or the
 * emulator's) current camera image. Addresses follow eval's rules: the --robot flag and the
 * experiment's robot.address are the configured ones, nothing else is contacted.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, basename } from 'node:path';
import { PNG } from 'pngjs';
import { requireBuiltInArm } from '../config/robotModel';
import type { Experiment } from '../config/experiment';
import { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import { RobotLinkError, RosbridgeClient } from '../rosbridge/client';
import { DEFAULT_ROBOT_NAMES } from '../rosbridge/names';
import { configuredRobotAddresses } from '../robot/robotEnv';
import { createEnv } from '../sim/simEnv';
import { deriveSeed, Rng } from '../util/rng';
import { appearanceFromSample, cameraFromSample, checkTextureFolder, nominalAppearance, nominalCamera, renderCamera, sceneViewOf, type RgbImage } from '../vision';
import { parseArgs, UsageError } from './args';
import { exitCodeOf, experimentOrExit } from './cliJob';
import type { CliCommand } from './types';
import { SEED_STREAMS } from '../util/seedStreams';

export const renderCommand: CliCommand = {
  name: 'render',
  usage: 'render FILE [--seed N] [--count N] [--out frame.png] [--nominal] [--json] | render [FILE] --robot ws://HOST:PORT --out real.png',
  summary: 'Write camera images as PNG: randomized sim episodes of an experiment, or the robot\'s current image with --robot.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { seed: 'number', count: 'number', out: 'string', nominal: 'boolean', json: 'boolean', robot: 'string', 'timeout-ms': 'number' });
    const file = positional[0];
    if (positional.length > 1) throw new UsageError('name at most one experiment file');
    const robot = flags.robot as string | undefined;
    if (!file && !robot) throw new UsageError('name an experiment file (sim2real render FILE) or a robot (--robot ws://HOST:PORT)');
    const count = (flags.count as number | undefined) ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new UsageError('--count needs a whole number from 1 to 1000');
    const seedFlag = flags.seed as number | undefined;
    if (seedFlag !== undefined && (!Number.isInteger(seedFlag) || seedFlag < 0)) throw new UsageError('--seed needs a whole number >= 0');
    const out = (flags.out as string | undefined) ?? (robot ? 'real.png' : 'frame.png');
    if (extname(out).toLowerCase() !== '.png') throw new UsageError(`--out must name a .png file, got '${out}'`);
    if (!existsSync(dirname(out) || '.')) {
      process.stderr.write(`sim2real render: no such folder '${dirname(out)}' for --out.\n`);
      return 1;
    }
    let experiment: Experiment | undefined;
    if (file) {
      const loaded = experimentOrExit('render', file, 'rendered', 'experiment file');
      if (typeof loaded === 'number') return loaded;
      experiment = loaded;
    }
    try {
      const written = robot
        ? [await saveRobotImage(robot, experiment, out, (flags['timeout-ms'] as number | undefined) ?? 5000)]
        : await renderEpisodes(experiment!, { seed: seedFlag ?? experiment!.seed, count, out, nominal: flags.nominal === true });
      if (flags.json) process.stdout.write(`${JSON.stringify({ files: written })}\n`);
      else for (const path of written) process.stdout.write(`wrote ${path}\n`);
      return 0;
    } catch (error) {
      // a robot that sends no image is this command's own failure, said as it is
      if (error instanceof RobotLinkError || (error instanceof Error && /^no camera image/.test(error.message))) {
        process.stderr.write(`sim2real render: ${error.message}\n`);
        return 1;
      }
      const code = exitCodeOf('render', error);
      if (code === undefined) throw error;
      return code;
    }
  },
};

/** Image i of N goes to `frame.png` (N = 1) or `frame-0.png` ... (N > 1). */
function numbered(out: string, index: number, count: number): string {
  if (count === 1) return out;
  const ext = extname(out);
  return join(dirname(out), `${basename(out, ext)}-${index}${ext}`);
}

async function renderEpisodes(experiment: Experiment, options: { seed: number; count: number; out: string; nominal: boolean }): Promise<string[]> {
  checkTextureFolder(experiment);
  requireBuiltInArm(experiment, 'sim2real render');
  const env = await createEnv(experiment, { randomize: !options.nominal });
  const written: string[] = [];
  try {
    for (let i = 0; i < options.count; i++) {
      const episodeSeed = deriveSeed(options.seed, SEED_STREAMS.experiment.render, i);
      env.reset(episodeSeed);
      const rng = new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.renderLook, 1));
      const appearance = options.nominal ? nominalAppearance() : appearanceFromSample(env.sample, experiment, rng);
      const camera = options.nominal ? nominalCamera(experiment) : cameraFromSample(env.sample, experiment, rng);
      const image = renderCamera(sceneViewOf(env.scene), appearance, camera, { noiseRng: rng });
      const path = numbered(options.out, i, options.count);
      writePng(path, image);
      written.push(path);
    }
  } finally {
    env.dispose();
  }
  return written;
}

async function saveRobotImage(url: string, experiment: Experiment | undefined, out: string, timeoutMs: number): Promise<string> {
  const allowed = experiment ? configuredRobotAddresses(experiment, url) : [url];
  const client = new RosbridgeClient(url, RobotAddressPolicy.fromConfigured(allowed), {
    connectTimeoutMs: experiment?.robot?.connectTimeoutMs ?? 3000,
    reconnect: { enabled: false },
  });
  try {
    await client.connect();
    const topic = experiment?.robot?.topics.camera ?? DEFAULT_ROBOT_NAMES.topics.camera;
    const camera = client.camera(topic, { onDropped: (reason) => process.stderr.write(`${reason}\n`) });
    const frame = await camera.nextImage(timeoutMs);
    camera.close();
    writePng(out, frame.image);
    return out;
  } finally {
    await client.close();
  }
}

export function encodePng(image: RgbImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    png.data[4 * i] = image.data[3 * i];
    png.data[4 * i + 1] = image.data[3 * i + 1];
    png.data[4 * i + 2] = image.data[3 * i + 2];
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png);
}

function writePng(path: string, image: RgbImage): void {
  writeFileSync(path, encodePng(image));
}
