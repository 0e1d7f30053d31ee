/**
 * The link worker: runs a RobotEpisodeRunner on its own thread for a RobotEnv. Requests come on
 * `requests` (one at a time: the env blocks for each reply); stops come on `stops` and are handled
 * the moment they arrive, even in the middle of a step.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import { EventLog } from '../rosbridge/eventLog';
import type { AttachStopPort, LinkReply, LinkRequest, LinkStartup, LinkWorkerData, StopRequest } from './linkProtocol';
import { RobotEpisodeRunner } from './robotEpisodes';

interface Ports {
  readonly requests: MessagePort;
  readonly stops: MessagePort;
}

async function main(): Promise<void> {
  const data = workerData as LinkWorkerData;
  const signal = new Int32Array(data.signal);
  const events = data.eventLogPath ? new EventLog(data.eventLogPath) : undefined;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const ports = await new Promise<Ports>((resolve) => parentPort!.once('message', (m: Ports) => resolve(m)));
  let runner: RobotEpisodeRunner;
  try {
    runner = await RobotEpisodeRunner.connect(data.experiment, data.url, { policy: RobotAddressPolicy.fromConfigured(data.allowedAddresses), log, events, motion: data.motion });
    // the motion authority needs to know what answered: the bundled emulator says so in its status
    await runner.link.waitFor(() => runner.link.robotStatus !== undefined, data.experiment.robot?.connectTimeoutMs ?? 3000, 'robot status').catch(() => undefined);
  } catch (error) {
    parentPort!.postMessage({ kind: 'failed', message: (error as Error).message } satisfies LinkStartup);
    return;
  }
  parentPort!.postMessage({ kind: 'ready', controlPeriodS: runner.task.controlPeriodS, ...(runner.link.robotStatus ? { status: runner.link.robotStatus } : {}) } satisfies LinkStartup);

  const reply = (message: LinkReply): void => {
    ports.requests.postMessage(message);
    // post first, then wake the env: receiveMessageOnPort finds the reply when it wakes
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const observation = (id: number): LinkReply => ({
    id,
    kind: 'observation',
    observation: runner.observation,
    result: { ...runner.result },
    abortReason: runner.abortReason,
    ...(runner.link.robotStatus ? { status: runner.link.robotStatus } : {}),
    ...(runner.link.stopLatch ? { stopped: runner.link.stopLatch.message } : {}),
  });

  const onStop = (m: StopRequest): void => {
    if (m?.kind === 'stop') void runner.link.stop(String(m.message ?? 'stop requested'), 'user');
  };
  const stopPorts: MessagePort[] = [ports.stops];
  ports.stops.on('message', (m: StopRequest | AttachStopPort) => {
    if (m?.kind === 'stop') onStop(m);
    // extra stop ports (RobotEnv.createStopPort) arrive on the stop channel
    else if (m?.kind === 'attach') {
      stopPorts.push(m.port);
      m.port.on('message', onStop);
    }
  });
  ports.requests.on('message', async (req: LinkRequest) => {
    try {
      switch (req.kind) {
        case 'reset':
          await runner.reset(req.seed, req.permit);
          return reply(observation(req.id));
        case 'step':
          await runner.step(req.action);
          return reply(observation(req.id));
        case 'rearm':
          await runner.link.rearm(req.permit);
          return reply({ id: req.id, kind: 'done', ...(runner.link.robotStatus ? { status: runner.link.robotStatus } : {}) });
        case 'close':
          await runner.close();
          events?.close();
          reply({ id: req.id, kind: 'done' });
          ports.requests.close();
          for (const port of stopPorts) port.close();
          return;
      }
    } catch (error) {
      reply({ id: req.id, kind: 'error', message: (error as Error).message });
    }
  });
}

if (!isMainThread && parentPort) {
  main().catch((error: unknown) => {
    parentPort!.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies LinkStartup);
  });
}
