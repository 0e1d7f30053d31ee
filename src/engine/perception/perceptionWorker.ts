/**
 * The worker thread a perception job runs in (perceptionWorkerHost.ts starts it). Rendering,
 * training and DANN are synchronous loops of minutes; on the engine's main thread they would hold
 * back every other message, a robot stop among them. Here they run beside it, and the cancel flag
 * is shared memory the loops read between batches, since a message could not reach a busy thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AddressNotAllowedError } from '../rosbridge/addressPolicy';
import { RobotLinkError } from '../rosbridge/client';
import { MotionRefused, type Attendant, type MotionPrompt } from '../robot/motionAuthority';
import { stopOpenLinks } from '../robot/openLinks';
import { adaptPerceptionModel, evaluatePerceptionModel, trainPerceptionModel, type RealImageSource } from './perceptionModel';
import { connectRealImageSource } from './robotImages';
import type { LabelledImage } from './samples';
import type { PerceptionWorkerControl, PerceptionWorkerData, PerceptionWorkerMessage, PersonQuestion } from './perceptionWorkerMessages';


/** Real images are taken this many at a time, so the bar moves while a robot resets per image. */
const IMAGES_PER_STEP = 5;

/**
 * An AbortSignal whose `aborted` reads the shared flag: the perception loops check `signal.aborted`
 * between batches, and that read must see a cancel while the thread never yields. The 'cancel'
 * message still aborts the controller, for listeners of the event in asynchronous waits.
 */
function sharedSignal(flag: Int32Array): AbortSignal {
  const controller = new AbortController();
  parentPort?.on('message', (message: unknown) => {
    if (message === 'cancel') controller.abort();
  });
  Object.defineProperty(controller.signal, 'aborted', { get: () => Atomics.load(flag, 0) === 1 || controller.signal.reason !== undefined });
  return controller.signal;
}

/** The person, asked through the main thread; the engine's stops reach this thread's robot links. */
function personOverParentPort(post: (m: PerceptionWorkerMessage) => void): Attendant {
  let nextId = 1;
  const pending = new Map<number, (yes: boolean) => void>();
  parentPort?.on('message', (message: PerceptionWorkerControl) => {
    if (typeof message !== 'object' || message === null) return;
    if (message.kind === 'stop') stopOpenLinks(message.message);
    else if (message.kind === 'answer') {
      pending.get(message.id)?.(message.yes === true);
      pending.delete(message.id);
    }
  });
  const ask = (question: PersonQuestion, prompt: MotionPrompt): Promise<boolean> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      post({ kind: 'ask', id, question, prompt });
    });
  return {
    channel: 'VS Code',
    confirmEmergencyStop: (prompt) => ask('confirmEmergencyStop', prompt),
    startEpisodes: (prompt) => ask('startEpisodes', prompt),
    rearm: (prompt) => ask('rearm', prompt),
  };
}

/** The source, reporting how many of the images are in, from `from` to `to` of the bar. */
function countedSource(source: RealImageSource, post: (m: PerceptionWorkerMessage) => void, from: number, to: number): RealImageSource {
  return {
    address: source.address,
    groundTruth: source.groundTruth,
    close: () => source.close(),
    async take(count, signal) {
      const images: LabelledImage[] = [];
      while (images.length < count) {
        images.push(...(await source.take(Math.min(IMAGES_PER_STEP, count - images.length), signal)));
        post({ kind: 'progress', fraction: from + ((to - from) * images.length) / count, message: `${images.length} of ${count} camera images from ${source.address}` });
      }
      return images;
    },
  };
}

async function run(data: PerceptionWorkerData, post: (m: PerceptionWorkerMessage) => void): Promise<unknown> {
  const { experiment, job } = data;
  const signal = sharedSignal(new Int32Array(data.cancelFlag));
  const log = (line: string): void => post({ kind: 'log', line });
  // each log line is also the notification's text: rendering and warm-up have no fraction of their own
  const logged = (line: string): void => {
    log(line);
    post({ kind: 'progress', message: line });
  };
  if (job.kind === 'train') {
    post({ kind: 'progress', fraction: 0, message: 'rendering training images' });
    const result = await trainPerceptionModel(experiment, job.dir, {
      samples: job.samples,
      epochs: job.epochs,
      randomization: job.randomization,
      seed: job.seed,
      signal,
      log: logged,
      onProgress: (fraction, message) => post({ kind: 'progress', fraction, message }),
    });
    return result;
  }
  post({ kind: 'progress', fraction: 0, message: `connecting to ${job.address}` });
  const link = await connectRealImageSource(experiment, job.address, {
    allowedAddresses: [job.address],
    signal,
    attendance: { attendant: personOverParentPort(post) },
    path: job.kind === 'evaluate' ? 'Evaluate Perception on Robot Images' : 'Adapt Perception (DANN)',
    motionLogPath: job.motionLogPath,
    plannedImages: job.kind === 'evaluate' ? job.images : job.realImages + job.evalImages,
  });
  try {
    if (job.kind === 'evaluate') {
      const errors = await evaluatePerceptionModel(experiment, job.modelPath, countedSource(link, post, 0, 0.95), { images: job.images, signal, log: logged });
      return { errors, source: link.address, groundTruth: link.groundTruth };
    }
    // taking the real images is about a third of an adaptation on the emulator; DANN the rest
    const source = countedSource(link, post, 0, 0.35);
    return await adaptPerceptionModel(experiment, job.modelPath, source, {
      realImages: job.realImages,
      evalImages: job.evalImages,
      simImages: job.simImages,
      steps: job.steps,
      signal,
      log: logged,
      onProgress: (fraction, message) => post({ kind: 'progress', fraction: 0.35 + 0.6 * fraction, message }),
    });
  } finally {
    await link.close();
  }
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as PerceptionWorkerData;
  const post = (message: PerceptionWorkerMessage): void => port.postMessage(message);
  run(data, post).then(
    (result) => post({ kind: 'done', result }),
    (error: unknown) => {
      const cancelled = Atomics.load(new Int32Array(data.cancelFlag), 0) === 1;
      const robot = error instanceof RobotLinkError || error instanceof AddressNotAllowedError || error instanceof MotionRefused;
      post({ kind: 'failed', message: error instanceof Error ? error.message : String(error), cancelled, robot });
    },
  );
}
