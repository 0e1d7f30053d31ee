/**
 * The robot session worker: owns the safe-test console's link to the robot and runs its episodes
 * (ONNX policy -> RobotEpisodeRunner -> safety layer -> robot). Nothing here blocks: the policy and
 * the link are asynchronous, so between any two awaits the thread is free and a stop arriving on the
 * stop port is written to the socket at once, ahead of the next command (commands are never queued
 * in this process; see robotLink.ts).
 *
 * Why not RobotEnv: it hides the link behind a synchronous Env and blocks its thread in Atomics.wait,
 * which suits batch evaluation; the console must show the link itself (halt reason, stop latch,
 * speed scale, commands sent), so this worker drives the runner directly on its own thread.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { requireBuiltInArm } from '../config/robotModel';
import { TASKS } from '../config/taskCatalog';
import { OnnxPolicy } from '../policy/onnxPolicy';
import type { RobotSafetyEntry, RobotSessionState, RobotTelemetrySample } from './sessionState';
import { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import { monotonicMs } from '../util/clock';
import { EventLog, type RobotEvent } from '../rosbridge/eventLog';
import { LoopProbe } from '../util/loopProbe';
import { RobotEpisodeRunner, safetyFor } from '../robot/robotEpisodes';
import { speedScaleFor } from '../robot/safety';
import type { EpisodePermit } from '../robot/motionAuthority';
import { StopSocket, type StopEndpoint } from './stopSocket';
import type { SessionNotice, SessionReply, SessionRequest, SessionStartup, SessionStop, SessionWorkerData } from './sessionMessages';

/** Two copies of one press (direct socket and VS Code path) arrive within this of each other. */
const DUPLICATE_STOP_MS = 1000;

interface Ports {
  readonly control: MessagePort;
  readonly stops: MessagePort;
}

/** Robot log events the console's safety log shows, as one line each; the rest are link chatter. */
function safetyEntry(e: RobotEvent): RobotSafetyEntry | undefined {
  const text = (k: string): string => (typeof e[k] === 'string' ? (e[k] as string) : '');
  switch (e.event) {
    case 'stop':
      return { tMs: e.tMs, level: 'stop', message: `protective stop (${text('reason')}): ${text('message')}` };
    case 'warning':
      return { tMs: e.tMs, level: 'warning', message: text('message') };
    case 'command_rejected':
      return { tMs: e.tMs, level: 'warning', message: `command not sent: ${text('reason')}` };
    case 'connection':
      return { tMs: e.tMs, level: 'info', message: 'link open' };
    case 'disconnection':
      return { tMs: e.tMs, level: 'warning', message: `link ${text('state')}${text('detail') ? ` (${text('detail')})` : ''}` };
    case 'dropped_frame':
      return { tMs: e.tMs, level: 'warning', message: `dropped a frame from the robot: ${text('reason')}` };
    default:
      return undefined;
  }
}

async function main(): Promise<void> {
  const data = workerData as SessionWorkerData;
  const ports = await new Promise<Ports>((resolve) => parentPort!.once('message', (m: Ports) => resolve(m)));
  const probe = LoopProbe.get('session-worker');
  const notify = (notice: SessionNotice): void => {
    probe?.count(`notice:${notice.kind}`);
    ports.control.postMessage(notice);
  };
  const events = new EventLog(data.eventLogPath);
  events.probe = probe;
  events.onEvent((e) => {
    const entry = safetyEntry(e);
    if (entry) notify({ kind: 'safety', entry });
  });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  requireBuiltInArm(data.experiment, 'The safe-test console');
  const task = TASKS[data.experiment.task];
  let runner: RobotEpisodeRunner;
  let policy: OnnxPolicy | undefined;
  try {
    // the policy first: a wrong-shaped file should fail before anything talks to the robot
    if (data.policyPath) policy = await OnnxPolicy.load(data.policyPath, task);
    runner = await RobotEpisodeRunner.connect(data.experiment, data.url, { policy: RobotAddressPolicy.fromConfigured(data.allowedAddresses), log, events, motion: data.motion });
    // the motion authority needs to know what answered: the bundled emulator says so in its status
    await runner.link.waitFor(() => runner.link.robotStatus !== undefined, data.experiment.robot?.connectTimeoutMs ?? 3000, 'robot status').catch(() => undefined);
  } catch (error) {
    await policy?.dispose();
    events.close();
    parentPort!.postMessage({ kind: 'failed', message: (error as Error).message } satisfies SessionStartup);
    return;
  }
  const link = runner.link;
  const safety = safetyFor(data.experiment);

  // The commands the plots show are what left the engine after the safety layer; the link has no
  // hook for them, so its sendCommand is wrapped on this instance (robot/ stays untouched).
  let lastCommand: number[] = [];
  const sendCommand = link.sendCommand.bind(link);
  link.sendCommand = (targets, episodeIndex) => {
    probe?.count('command');
    const outcome = sendCommand(targets, episodeIndex);
    if (outcome.sent) lastCommand = Array.from(outcome.verdict.command);
    return outcome;
  };

  let episodeRunning = false;
  let stopEndpoint: StopEndpoint | undefined;
  const state = (): RobotSessionState => {
    const status = link.robotStatus;
    const latch = link.stopLatch;
    const episode = episodeRunning ? runner.episodeIndex : link.episodesStarted;
    return {
      connected: link.isOpen,
      address: data.url,
      file: data.experiment.sourcePath,
      policy: data.policyPath,
      robot: status?.state ?? 'unknown',
      haltReason: status?.state === 'halted' ? status.reason : undefined,
      haltDetail: status?.state === 'halted' ? status.detail : undefined,
      stopped: latch !== undefined,
      stopMessage: latch?.message,
      speedScale: speedScaleFor(safety, Math.max(0, episode)),
      episodesStarted: link.episodesStarted,
      episodeRunning,
      ...(stopEndpoint ? { stopEndpoint } : {}),
    };
  };
  let lastStateJson = '';
  const publishState = (force = false): void => {
    const s = state();
    const json = JSON.stringify(s);
    if (!force && json === lastStateJson) return;
    lastStateJson = json;
    notify({ kind: 'state', state: s });
  };

  // Telemetry at a fixed rate (20 Hz by default), whatever the control rate: the plots need no
  // more, and the IPC channel to the editor stays light while the stop shares it.
  const telemetryPeriodMs = data.telemetryPeriodMs ?? 50;
  const ticker = setInterval(() => {
    publishState();
    const joints = link.joints;
    if (!joints) return;
    const sample: RobotTelemetrySample = {
      tMs: monotonicMs(),
      episode: Math.max(0, runner.episodeIndex),
      step: runner.episodeStep,
      position: Array.from(joints.position),
      command: lastCommand,
    };
    notify({ kind: 'telemetry', samples: [sample] });
  }, telemetryPeriodMs);

  /**
   * One press arrives twice (direct socket and VS Code path): the first one stops, a copy within
   * DUPLICATE_STOP_MS of a user stop is only noted. A press long after (or after a safety stop) is a
   * new stop and is sent again, even if the robot already halted.
   */
  const stopNow = (message: string, trace: Record<string, number | undefined>): void => {
    const latch = link.stopLatch;
    if (latch?.reason === 'user' && trace.workerReceivedMs! - latch.sentAtMs < DUPLICATE_STOP_MS) return;
    // written to the socket inside stop(), before anything else this thread does
    void link.stop(message, 'user', undefined, trace).then(() => publishState(true));
    publishState(true);
  };
  const onStop = (m: SessionStop): void => {
    if (m?.kind !== 'stop') return;
    stopNow(String(m.message ?? 'stop requested'), { ...(m.trace ?? {}), workerReceivedMs: monotonicMs() });
  };
  ports.stops.on('message', onStop);
  let stopSocket: StopSocket | undefined;
  try {
    stopSocket = await StopSocket.open(() => stopNow('stop pressed in the safe-test console (direct path)', { workerReceivedMs: monotonicMs(), direct: 1 }), log);
    stopEndpoint = stopSocket.endpoint;
  } catch (error) {
    // the VS Code path still carries every stop
    log(`direct stop socket unavailable: ${(error as Error).message}`);
  }

  const reply = (message: SessionReply): void => ports.control.postMessage(message);

  const runEpisode = async (id: number, seed: number, permit: EpisodePermit): Promise<void> => {
    if (!policy) return reply({ id, kind: 'error', message: 'no policy was given when connecting: pick a trained policy (ONNX) to run episodes' });
    if (episodeRunning) return reply({ id, kind: 'error', message: 'an episode is already running' });
    episodeRunning = true;
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    let episodeReturn = 0;
    let length = 0;
    let index = link.episodesStarted;
    let speedScale = speedScaleFor(safety, index);
    try {
      publishState(true);
      await runner.reset(seed, permit);
      index = runner.episodeIndex;
      speedScale = speedScaleFor(safety, index);
      publishState(true);
      const action = new Float64Array(task.actionSize);
      if (!runner.result.done) policy.reset(runner.observation);
      while (!runner.result.done) {
        if (probe) {
          const t0 = performance.now();
          await policy.act(runner.observation, action);
          probe.section('policyAct', performance.now() - t0);
        } else await policy.act(runner.observation, action);
        const result = await runner.step(action);
        episodeReturn += result.reward;
        length++;
      }
    } catch (error) {
      runner.result.done = true;
      runner.result.termination = 'aborted';
      runner.abortReason = `episode failed: ${(error as Error).message}`;
    } finally {
      episodeRunning = false;
    }
    const r = runner.result;
    const status = link.robotStatus;
    const latch = link.stopLatch;
    const abortKind =
      r.termination !== 'aborted' ? undefined : latch?.reason === 'user' || status?.reason === 'stop' ? 'stop' : latch?.reason === 'safety' || status?.reason === 'safety' ? 'safety' : 'robot';
    publishState(true);
    reply({
      id,
      kind: 'episode',
      record: {
        index: Math.max(0, index),
        episodeReturn,
        length,
        success: r.success,
        termination: r.termination,
        abortReason: runner.abortReason,
        abortKind,
        speedScale,
        startedAt,
        durationMs: performance.now() - t0,
      },
    });
  };

  ports.control.on('message', (req: SessionRequest) => {
    switch (req.kind) {
      case 'startEpisode':
        void runEpisode(req.id, req.seed, req.permit);
        return;
      case 'arm':
        if (episodeRunning) return reply({ id: req.id, kind: 'error', message: 'an episode is still ending; arm again in a moment' });
        link.rearm(req.permit).then(
          () => {
            publishState(true);
            reply({ id: req.id, kind: 'done' });
          },
          (error: Error) => {
            publishState(true);
            reply({ id: req.id, kind: 'error', message: error.message });
          },
        );
        return;
      case 'close':
        clearInterval(ticker);
        void (async () => {
          await stopSocket?.close();
          await runner.close();
          await policy?.dispose();
          events.close();
          reply({ id: req.id, kind: 'done' });
          ports.control.close();
          ports.stops.close();
        })();
        return;
    }
  });

  parentPort!.postMessage({ kind: 'ready', ...(link.robotStatus ? { status: link.robotStatus } : {}) } satisfies SessionStartup);
  publishState(true);
}

if (!isMainThread && parentPort) {
  main().catch((error: unknown) => {
    parentPort!.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies SessionStartup);
  });
}
