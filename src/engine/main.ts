/**
 * The engine process: started by the extension with child_process.fork, it runs validation,
 * training and evaluation off the extension host's thread and answers over the IPC channel
 * (protocol.ts). It exits when the extension host goes away, aborting whatever runs, so no
 * training outlives the editor (a robot's own watchdog halts it when commands stop).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from './config/experiment';
import { findingToJson, loadExperiment } from './config/load';
import { RobotSession, RobotSessionError } from './console/robotSession';
import { monotonicMs } from './util/clock';
import { onOpenLinksChange, stopOpenLinks } from './robot/openLinks';
import { replyToPrompt, vscodePerson } from './personPrompts';
import type { EvaluationReport } from './evaluate/report';
import { runEvaluateOnRobot, runSensitivity } from './runJobs';
import { runPerceptionAdapt, runPerceptionEvaluate, runPerceptionTrain } from './perception/perceptionRequests';
import { runSysidJob } from './sysid/sysidJob';
import { runPipelineJob } from './pipeline/pipelineJob';
import { engineVersions, train, type TrainingEvent } from './learn/trainer';
import { evaluateOnnxPolicy } from './evaluate/onnxEvaluation';
import {
  parseHostMessage,
  type EngineEvent,
  type EngineRequests,
  type EvaluateParams,
  type FindingJson,
  type RobotConnectParams,
  type RobotSessionState,
  type RequestMessage,
  type RequestMethod,
  type TrainParams,
  type TrainSummary,
} from './protocol';
import { writeJsonAtomic } from './util/atomicFile';
import { newRunId } from './runs/runStore';

/** Raised for a request that cannot start; carries the findings of an invalid experiment. */
class RequestError extends Error {
  constructor(
    message: string,
    readonly findings?: FindingJson[],
  ) {
    super(message);
  }
}

const running = new Map<number, AbortController>();

function send(event: EngineEvent): void {
  // After the host disconnects there is no one to tell; `disconnect` below ends the process.
  if (process.connected) process.send?.(event);
}

function log(level: 'debug' | 'info' | 'warn' | 'error', message: string, requestId?: number): void {
  send({ kind: 'log', level, message, requestId });
}

function loadValid(file: string): Experiment {
  if (!existsSync(file)) throw new RequestError(`No such experiment file: ${file}`);
  const loaded = loadExperiment(file);
  if (!loaded.experiment) {
    const findings = loaded.findings.filter((f) => f.severity === 'error').map((f) => findingToJson(file, loaded.lines, f) as unknown as FindingJson);
    throw new RequestError(`${file} has ${findings.length} error(s); nothing was started.`, findings);
  }
  return loaded.experiment;
}

function describe(event: TrainingEvent): string | undefined {
  const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
  switch (event.type) {
    case 'progress':
      return `iteration ${event.iteration} · success ${pct(event.successRate)} · ${Math.round(event.stepsPerSecond)} steps/s · eta ≤ ${Math.round(event.etaSeconds)} s`;
    case 'evaluation':
      return `evaluation (${event.stage}): success ${pct(event.report.success_rate)} over ${event.report.episodes} episodes`;
    case 'checkpoint':
      return undefined;
  }
}

async function runTrain(id: number, params: TrainParams, signal: AbortSignal): Promise<TrainSummary> {
  const resume = params.resumeDir !== undefined;
  let experiment = resume ? undefined : loadValid(params.file);
  if (experiment) {
    const overrides: Partial<Experiment['training']> = {};
    if (params.maxEnvSteps !== undefined) Object.assign(overrides, { maxEnvSteps: params.maxEnvSteps });
    experiment = { ...experiment, seed: params.seed ?? experiment.seed, training: { ...experiment.training, ...overrides } };
  }
  const runDir = params.resumeDir ?? join(params.runsDir, experiment!.name, newRunId(experiment!.seed));
  log('info', `${resume ? 'resuming' : 'training'} in ${runDir}`, id);
  const budget = experiment?.training.maxEnvSteps;
  const result = await train(experiment ?? ({} as Experiment), {
    runDir,
    resume,
    signal,
    workers: params.workers,
    onEvent: (event) => {
      const message = describe(event);
      if (!message) return;
      const fraction = event.type === 'progress' && budget ? Math.min(1, event.envSteps / budget) : undefined;
      send({ kind: 'progress', requestId: id, message, fraction, detail: event });
    },
  });
  return {
    status: result.status,
    reason: result.reason,
    runDir: result.runDir,
    iterations: result.iterations,
    envSteps: result.envSteps,
    elapsedSeconds: result.elapsedSeconds,
    policyPath: result.policyPath,
    evaluation: result.evaluation,
  };
}

async function runEvaluate(id: number, params: EvaluateParams, signal: AbortSignal): Promise<EvaluationReport> {
  const experiment = loadValid(params.file);
  if (!existsSync(params.policy)) throw new RequestError(`No such policy file: ${params.policy}`);
  const episodes = params.episodes ?? experiment.evaluation.episodes;
  const report = await evaluateOnnxPolicy(params.policy, experiment, {
    episodes,
    seed: params.seed ?? experiment.seed,
    randomized: params.randomized ?? experiment.evaluation.randomized,
    signal,
    onEpisode: (index) => send({ kind: 'progress', requestId: id, fraction: (index + 1) / episodes, message: `episode ${index + 1} of ${episodes}` }),
  });
  if (params.runDir !== undefined) writeJsonAtomic(join(params.runDir, 'eval.json'), report);
  return report;
}

/** The safe-test console's robot session; one at a time. */
let robotSession: RobotSession | undefined;

function requireSession(): RobotSession {
  if (!robotSession) throw new RequestError('No robot session: connect first (Sim2Real: Open Safe-Test Console).');
  return robotSession;
}

async function runRobotConnect(id: number, params: RobotConnectParams): Promise<RobotSessionState> {
  if (robotSession) throw new RequestError(`Already connected to ${robotSession.address}; disconnect first.`);
  const experiment = loadValid(params.file);
  if (params.policy !== undefined && !existsSync(params.policy)) throw new RequestError(`No such policy file: ${params.policy}`);
  try {
    const session = await RobotSession.open(
      experiment,
      {
        onState: (state) => send({ kind: 'robotState', state }),
        onTelemetry: (samples) => send({ kind: 'robotTelemetry', samples }),
        onSafety: (entry) => send({ kind: 'robotSafety', entry }),
      },
      { policy: params.policy, address: params.address, runDir: params.runDir },
    );
    robotSession = session;
    log('info', `robot session connected to ${session.address}${session.runDir ? `; episodes are recorded in ${session.runDir}` : ''}`, id);
    return session.state;
  } catch (error) {
    throw error instanceof RobotSessionError ? new RequestError(error.message) : error;
  }
}

type Handler<M extends RequestMethod> = (id: number, params: EngineRequests[M]['params'], signal: AbortSignal) => Promise<EngineRequests[M]['result']>;

const HANDLERS: { [M in RequestMethod]: Handler<M> } = {
  validate: async (_id, params) => {
    if (!existsSync(params.file)) throw new RequestError(`No such experiment file: ${params.file}`);
    const loaded = loadExperiment(params.file);
    return { findings: loaded.findings.map((f) => findingToJson(params.file, loaded.lines, f) as unknown as FindingJson) };
  },
  train: runTrain,
  evaluate: runEvaluate,
  evaluateOnRobot: (id, params, signal) => runEvaluateOnRobot(params, signal, (progress) => send({ kind: 'progress', requestId: id, ...progress }), vscodePerson(id, send, signal)),
  sensitivity: (id, params, signal) => runSensitivity(params, signal, (progress) => send({ kind: 'progress', requestId: id, ...progress })),
  perceptionTrain: (id, params, signal) => runPerceptionTrain(params, signal, (progress) => send({ kind: 'progress', requestId: id, ...progress }), (line) => log('info', line, id)),
  perceptionEvaluate: (id, params, signal) =>
    runPerceptionEvaluate(params, signal, (progress) => send({ kind: 'progress', requestId: id, ...progress }), (line) => log('info', line, id), vscodePerson(id, send, signal)),
  perceptionAdapt: (id, params, signal) =>
    runPerceptionAdapt(params, signal, (progress) => send({ kind: 'progress', requestId: id, ...progress }), (line) => log('info', line, id), vscodePerson(id, send, signal)),
  pipeline: (id, params, signal) =>
    runPipelineJob(id, params, loadValid(params.file), signal, send, (progress) => send({ kind: 'progress', requestId: id, ...progress }), (line) => log('info', line, id)),
  personReply: async (_id, params) => ({ delivered: replyToPrompt(params.promptId, params.accept) }),
  sysid: (id, params, signal) =>
    runSysidJob(
      params,
      signal,
      (progress) => send({ kind: 'progress', requestId: id, ...progress }),
      (line) => log('info', line, id),
      vscodePerson(id, send, signal),
    ),
  cancel: async (_id, params) => {
    const job = running.get(params.requestId);
    job?.abort();
    return { cancelled: job !== undefined };
  },
  ping: async () => ({ versions: engineVersions() }),
  robotConnect: runRobotConnect,
  robotStartEpisode: async (_id, params) => {
    try {
      return await requireSession().startEpisode(params.seed);
    } catch (error) {
      throw error instanceof RobotSessionError ? new RequestError(error.message) : error;
    }
  },
  robotConfirmEstop: async (_id, params) => {
    robotSession?.confirmEmergencyStop(params.confirmed);
    return { recorded: robotSession !== undefined };
  },
  // synchronous up to the post: nothing on this thread is awaited before the stop leaves
  robotStop: async (_id, params) => {
    const session = robotSession?.stop(params.message, { hostReceivedMs: params.hostReceivedMs, engineReceivedMs: monotonicMs() }) ?? false;
    // links the console does not own: the pipeline's real episodes, an evaluation on the robot
    const others = stopOpenLinks(params.message ?? 'stop requested from VS Code');
    return { sent: session || others > 0 };
  },
  robotArm: async () => {
    try {
      return await requireSession().arm();
    } catch (error) {
      throw error instanceof RobotSessionError ? new RequestError(error.message) : error;
    }
  },
  robotDisconnect: async () => {
    const session = robotSession;
    robotSession = undefined;
    await session?.close();
    if (session) send({ kind: 'robotState', state: { ...session.state, connected: false, episodeRunning: false } });
    return { disconnected: session !== undefined };
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
    const findings = error instanceof RequestError ? error.findings : undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof RequestError)) log('error', error instanceof Error && error.stack ? error.stack : message, request.id);
    send({ kind: 'failed', requestId: request.id, message, findings });
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
  for (const job of running.values()) job.abort();
  // closing the link halts the robot (link lost); its watchdog covers a link that cannot close
  void robotSession?.close();
  // give aborted jobs a moment to write their final state, then go
  setTimeout(() => process.exit(0), 500).unref();
});

// the host shows the robot stop (status bar, console) while any path holds a link open
onOpenLinksChange((openLinks) => send({ kind: 'robotMotion', openLinks }));

send({ kind: 'ready', versions: engineVersions() });
