/**
 * The engine process: started by the extension with child_process.fork, it runs the jobs
 * (src/engine/jobs/) off the extension host's thread and answers over the IPC channel
 * (src/messages/engine.ts). A thin adapter: each request either runs its job, with a context whose
 * person is the one in VS Code, or operates the safe-test console's robot session. It exits when
 * the extension host goes away, aborting whatever runs, so no training outlives the editor (a
 * robot's own watchdog halts it when commands stop).
 */
import { existsSync } from 'node:fs';
import { RobotSession, RobotSessionError } from './console/robotSession';
import type { RobotSessionState } from './console/sessionState';
import { evaluate } from './jobs/evaluate';
import { evaluateOnRobot } from './jobs/evaluateOnRobot';
import { loadValidExperiment } from './jobs/experimentInput';
import { JobInputError, type Job, type JobContext } from './jobs/job';
import { perceptionAdapt } from './jobs/perceptionAdapt';
import { perceptionEvaluate } from './jobs/perceptionEvaluate';
import { perceptionTrain } from './jobs/perceptionTrain';
import { pipeline } from './jobs/pipeline';
import { sensitivity } from './jobs/sensitivity';
import { sysid } from './jobs/sysid';
import { train } from './jobs/train';
import { validate } from './jobs/validate';
import { engineVersions } from './learn/trainer';
import { askPerson, replyToPrompt, vscodePerson } from './personPrompts';
import { onOpenLinksChange, stopOpenLinks } from './robot/openLinks';
import { monotonicMs } from './util/clock';
import { parseHostMessage, type EngineEvent, type EngineRequests, type RequestMessage, type RequestMethod } from '../messages/engine';

const running = new Map<number, AbortController>();

function send(event: EngineEvent): void {
  // After the host disconnects there is no one to tell; `disconnect` below ends the process.
  if (process.connected) process.send?.(event);
}

function log(level: 'debug' | 'info' | 'warn' | 'error', message: string, requestId?: number): void {
  send({ kind: 'log', level, message, ...(requestId !== undefined ? { requestId } : {}) });
}

/** A job's context in the engine: progress and log lines to the host, the person in VS Code, gates as dialogs. */
function contextFor(id: number, signal: AbortSignal): JobContext {
  return {
    signal,
    progress: (progress) => send({ kind: 'progress', requestId: id, ...progress }),
    log: (line) => log('info', line, id),
    attendance: { attendant: vscodePerson(id, send, signal) },
    confirm: (question) => askPerson(id, send, signal, { prompt: 'confirm', message: question.message, ...(question.stage ? { stage: question.stage } : {}) }),
    // only the experiment file names a robot: a message never does
    addressesAreUserInput: false,
  };
}

/** The safe-test console's robot session; one at a time. */
let robotSession: RobotSession | undefined;

function requireSession(): RobotSession {
  if (!robotSession) throw new JobInputError('No robot session: connect first (Sim2Real: Open Safe-Test Console).');
  return robotSession;
}

/** The console session's own refusals are answers, not engine failures. */
async function session<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw error instanceof RobotSessionError ? new JobInputError(error.message) : error;
  }
}

async function robotConnect(id: number, params: EngineRequests['robotConnect']['params']): Promise<RobotSessionState> {
  if (robotSession) throw new JobInputError(`Already connected to ${robotSession.address}; disconnect first.`);
  const experiment = loadValidExperiment(params.file);
  if (params.policy !== undefined && !existsSync(params.policy)) throw new JobInputError(`No such policy file: ${params.policy}`);
  const opened = await session(() =>
    RobotSession.open(
      experiment,
      {
        onState: (state) => send({ kind: 'robotState', state }),
        onTelemetry: (samples) => send({ kind: 'robotTelemetry', samples }),
        onSafety: (entry) => send({ kind: 'robotSafety', entry }),
      },
      { policy: params.policy, address: params.address, runDir: params.runDir },
    ),
  );
  robotSession = opened;
  log('info', `robot session connected to ${opened.address}${opened.runDir ? `; episodes are recorded in ${opened.runDir}` : ''}`, id);
  return opened.state;
}

type Handler<M extends RequestMethod> = (id: number, params: EngineRequests[M]['params'], signal: AbortSignal) => Promise<EngineRequests[M]['result']>;

/** A job as a request handler. */
const job =
  <P, R>(run: Job<P, R>) =>
  (id: number, params: P, signal: AbortSignal): Promise<R> =>
    run(params, contextFor(id, signal));

const HANDLERS: { [M in RequestMethod]: Handler<M> } = {
  validate: job(validate),
  train: job(train),
  evaluate: job(evaluate),
  evaluateOnRobot: job(evaluateOnRobot),
  sensitivity: job(sensitivity),
  perceptionTrain: job(perceptionTrain),
  perceptionEvaluate: job(perceptionEvaluate),
  perceptionAdapt: job(perceptionAdapt),
  sysid: job(sysid),
  pipeline: async (id, params, signal) => {
    const { dir, record } = await pipeline(params, contextFor(id, signal));
    return { dir, status: record.status, message: record.message, realEpisodesUsed: record.realEpisodesUsed, realEpisodeBudget: record.realEpisodeBudget };
  },
  personReply: async (_id, params) => ({ delivered: replyToPrompt(params.promptId, params.accept) }),
  cancel: async (_id, params) => {
    const controller = running.get(params.requestId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  },
  ping: async () => ({ versions: engineVersions() }),
  robotConnect,
  robotStartEpisode: (_id, params) => session(() => requireSession().startEpisode(params.seed)),
  robotConfirmEstop: async (_id, params) => {
    robotSession?.confirmEmergencyStop(params.confirmed);
    return { recorded: robotSession !== undefined };
  },
  // synchronous up to the post: nothing on this thread is awaited before the stop leaves
  robotStop: async (_id, params) => {
    const sent = robotSession?.stop(params.message, { hostReceivedMs: params.hostReceivedMs, engineReceivedMs: monotonicMs() }) ?? false;
    // links the console does not own: evaluations, pipeline stages, identification, camera resets
    const others = stopOpenLinks(params.message ?? 'stop requested from VS Code');
    return { sent: sent || others > 0 };
  },
  robotArm: () => session(() => requireSession().arm()),
  robotDisconnect: async () => {
    const closing = robotSession;
    robotSession = undefined;
    await closing?.close();
    if (closing) send({ kind: 'robotState', state: { ...closing.state, connected: false, episodeRunning: false } });
    return { disconnected: closing !== undefined };
  },
};

async function handle(request: RequestMessage): Promise<void> {
  const controller = new AbortController();
  running.set(request.id, controller);
  try {
    const handler = HANDLERS[request.method] as Handler<RequestMethod>;
    const result = await handler(request.id, request.params, controller.signal);
    send({ kind: 'finished', requestId: request.id, result });
  } catch (error) {
    const findings = error instanceof JobInputError ? error.findings : undefined;
    const message = error instanceof Error ? error.message : String(error);
    // a refusal to start is an answer; anything else is an engine failure worth its stack
    if (!(error instanceof JobInputError)) log('error', error instanceof Error && error.stack ? error.stack : message, request.id);
    send({ kind: 'failed', requestId: request.id, message, ...(findings ? { findings: [...findings] } : {}) });
  } finally {
    running.delete(request.id);
  }
}

process.on('message', (raw: unknown) => {
  const request = parseHostMessage(raw);
  if (!request) {
    log('warn', `dropped a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}`);
    return;
  }
  void handle(request);
});

process.on('disconnect', () => {
  for (const controller of running.values()) controller.abort();
  // closing the link halts the robot (link lost); its watchdog covers a link that cannot close
  void robotSession?.close();
  // give aborted jobs a moment to write their final state, then go
  setTimeout(() => process.exit(0), 500).unref();
});

// the host shows the robot stop (status bar, console) while any path holds a link open
onOpenLinksChange((openLinks) => send({ kind: 'robotMotion', openLinks }));

send({ kind: 'ready', versions: engineVersions() });
