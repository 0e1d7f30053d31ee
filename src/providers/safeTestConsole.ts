/**
 * The safe-test console panel: connect to the experiment's configured robot, confirm the hardware
 * emergency stop is within reach, start each episode by hand, watch joints and commands live, stop.
 * The panel is a view: the session lives in the engine, which alone talks to the robot; this host
 * relays the engine's robot events to the webview and the webview's checked messages to the engine.
 *
 * The stop is handled first and synchronously in the message handler: it goes to the engine before
 * anything else this host does with the message.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadExperiment } from '../engine/config/load';
import type { RobotSessionState } from '../messages/engine';
import { CONSOLE_WEBVIEW_MESSAGES, plotThreadSetting, type ConsoleHostMessage, type ConsoleWebviewMessage, type EpisodeRequest } from '../messages/console';
import type { Sim2RealContext } from './context';
import { isExperiment } from './experimentDocuments';
import { sendRobotStop } from './robotStop';
import { runsDirectory } from './runCommands';
import { consentToEngineWork } from './trust';
import { WebviewPanelHost } from './webviewPanel';

interface Target {
  readonly file: string;
  readonly name: string;
  readonly address?: string;
  readonly policy?: string;
  readonly problem?: string;
}

/** The newest policy.onnx among the experiment's runs (`<runsDir>/<name>/<run>/policy.onnx`). */
function newestPolicy(runsDir: string, experimentName: string): string | undefined {
  const dir = join(runsDir, experimentName);
  if (!existsSync(dir)) return undefined;
  const policies = readdirSync(dir)
    .map((run) => join(dir, run, 'policy.onnx'))
    .filter((p) => existsSync(p))
    .map((p) => ({ p, t: statSync(p).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  return policies[0]?.p;
}

/** The experiment the console drives: the active editor's, else the workspace's only one, else the user's pick. */
async function pickExperiment(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isExperiment(active)) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.s2r.{yaml,yml}', '**/node_modules/**', 50);
  if (files.length <= 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Safe-test console: which experiment?', placeHolder: 'Its robot.address is the only address the console connects to' },
  );
  return picked?.uri;
}

function describeTarget(uri: vscode.Uri): Target {
  const loaded = loadExperiment(uri.fsPath);
  const experiment = loaded.experiment;
  const name = experiment?.name ?? vscode.workspace.asRelativePath(uri);
  if (!experiment) return { file: uri.fsPath, name, problem: `${name} has errors; fix them first (Problems panel).` };
  const address = experiment.robot?.address;
  if (!address) return { file: uri.fsPath, name, problem: `${name} configures no robot: add robot.address.` };
  const policy = newestPolicy(runsDirectory(uri), experiment.name);
  return { file: uri.fsPath, name, address, policy, problem: policy ? undefined : `No trained policy for ${name} yet: train it first (episodes need a policy; stop and arm work without).` };
}

export class SafeTestConsole implements vscode.Disposable {
  private static current: SafeTestConsole | undefined;

  /** The console if it is open. */
  static get open(): SafeTestConsole | undefined {
    return SafeTestConsole.current;
  }

  static show(ctx: Sim2RealContext): SafeTestConsole {
    if (SafeTestConsole.current) {
      SafeTestConsole.current.host.panel.reveal();
      return SafeTestConsole.current;
    }
    SafeTestConsole.current = new SafeTestConsole(ctx);
    return SafeTestConsole.current;
  }

  private readonly host: WebviewPanelHost<ConsoleWebviewMessage, ConsoleHostMessage>;
  private readonly disposables: vscode.Disposable[] = [];
  private target: Target | undefined;
  private state: RobotSessionState | undefined;
  /** Session states the engine has pushed so far: a connect reply older than one of them is stale. */
  private stateEvents = 0;
  /** Asked again for every session: a person may have moved away from the stop since the last one. */
  private estopConfirmed = false;
  /** A job's episode on the robot waiting for "Start episode" (an evaluation, a pipeline stage, ...). */
  private episodePrompt: (EpisodeRequest & { readonly promptId: number }) | undefined;

  /** Show a job's episode request; "Start episode" then answers it instead of running the session's policy. */
  askEpisodeStart(prompt: EpisodeRequest & { readonly promptId: number }): void {
    this.episodePrompt = prompt;
    this.host.panel.reveal(undefined, true);
    const { promptId: _, ...request } = prompt;
    void this.host.post({ kind: 'episodePrompt', request });
  }

  /** The job no longer waits (answered, cancelled or ended). */
  closeEpisodePrompt(promptId: number): void {
    if (this.episodePrompt?.promptId !== promptId) return;
    this.episodePrompt = undefined;
    void this.host.post({ kind: 'episodePrompt' });
  }

  private constructor(private readonly ctx: Sim2RealContext) {
    this.host = new WebviewPanelHost<ConsoleWebviewMessage, ConsoleHostMessage>({
      viewType: 'sim2real.safeTestConsole',
      title: 'Sim2Real Safe-Test Console',
      bundle: 'console',
      extensionUri: ctx.extension.extensionUri,
      parse: CONSOLE_WEBVIEW_MESSAGES.parse,
      log: ctx.output,
      // the engine's direct stop socket (engine/console/stopSocket.ts): loopback only, any port
      connectSrc: ['ws://127.0.0.1:*'],
      // the plot worker (webview-ui/console/plotWorker.ts), started from the page's own bundled text
      workerSrc: ['blob:'],
    });
    this.disposables.push(
      this.host.onMessage((message) => this.onMessage(message)),
      ctx.engine.onRobotEvent((event) => {
        switch (event.kind) {
          case 'robotState':
            this.stateEvents++;
            this.state = event.state;
            if (!event.state.connected) this.estopConfirmed = false;
            void this.host.post({ kind: 'state', state: event.state, estopConfirmed: this.estopConfirmed });
            return;
          case 'robotTelemetry':
            void this.host.post({ kind: 'telemetry', samples: event.samples });
            return;
          case 'robotSafety':
            void this.host.post({ kind: 'safety', entry: event.entry });
            return;
        }
      }),
      // an engine that crashed or restarted took the session with it (the robot's watchdog halts it)
      ctx.engine.onDidChangeState((engineState) => {
        if (engineState === 'running' || !this.state?.connected) return;
        this.state = { ...this.state, connected: false, episodeRunning: false };
        this.estopConfirmed = false;
        void this.host.post({ kind: 'state', state: this.state, estopConfirmed: false });
        void this.host.post({ kind: 'error', message: `The engine ${engineState === 'crashed' ? 'crashed' : 'stopped'}; the robot session ended. Connect again.` });
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
    );
    void this.refreshTarget();
  }

  private async refreshTarget(): Promise<Target | undefined> {
    const uri = await pickExperiment();
    this.target = uri ? describeTarget(uri) : undefined;
    const t = this.target;
    const asked = vscode.workspace.getConfiguration('sim2real.console').get<string>('plotThread');
    const plotThread = plotThreadSetting.check(asked) ? asked : 'auto';
    await this.host.post(
      t
        ? { kind: 'setup', address: t.address, experiment: t.name, policy: t.policy ? vscode.workspace.asRelativePath(t.policy) : undefined, problem: t.problem, plotThread }
        : { kind: 'setup', problem: 'No experiment (*.s2r.yaml) in this workspace.', plotThread },
    );
    return this.target;
  }

  private onMessage(message: ConsoleWebviewMessage): void {
    if (message.kind === 'stop') {
      void sendRobotStop(this.ctx, 'stop pressed in the safe-test console');
      return;
    }
    void this.handle(message).catch((error: Error) => void this.host.post({ kind: 'error', message: error.message }));
  }

  private async handle(message: Exclude<ConsoleWebviewMessage, { kind: 'stop' }>): Promise<void> {
    const engine = this.ctx.engine;
    switch (message.kind) {
      case 'connect': {
        const target = await this.refreshTarget();
        if (!target?.address) throw new Error(target?.problem ?? 'No experiment to connect with.');
        if (!(await consentToEngineWork('Connecting to a robot'))) return;
        this.estopConfirmed = false;
        // the address sent is the configured one; the engine checks it again against the file
        const pushedBefore = this.stateEvents;
        const state = await engine.request('robotConnect', { file: target.file, policy: target.policy, address: target.address });
        // the session's own state events can overtake this reply (the robot armed, the stop socket
        // open): the reply's snapshot would then put an older state back, and the worker, which
        // publishes only changes, would never correct it
        if (this.stateEvents !== pushedBefore) return;
        this.state = state;
        await this.host.post({ kind: 'state', state, estopConfirmed: false });
        return;
      }
      case 'confirmEstop':
        this.estopConfirmed = message.confirmed;
        // the session's motion authority records the person's answer (and refuses episodes without it)
        if (this.state?.connected && engine.running) await engine.request('robotConfirmEstop', { confirmed: message.confirmed });
        if (this.state) await this.host.post({ kind: 'state', state: this.state, estopConfirmed: this.estopConfirmed });
        return;
      case 'startEpisode': {
        if (!this.estopConfirmed) throw new Error('Confirm that the hardware emergency stop is within your reach before the first episode.');
        const prompt = this.episodePrompt;
        if (prompt) {
          this.episodePrompt = undefined;
          await this.host.post({ kind: 'episodePrompt' });
          await engine.request('personReply', { promptId: prompt.promptId, accept: true });
          return;
        }
        const record = await engine.request('robotStartEpisode', {});
        await this.host.post({ kind: 'episode', record });
        return;
      }
      case 'arm':
        await engine.request('robotArm', {});
        return;
      case 'disconnect':
        if (engine.running) await engine.request('robotDisconnect', {});
        return;
    }
  }

  dispose(): void {
    if (SafeTestConsole.current === this) SafeTestConsole.current = undefined;
    // closing the console ends its session: the link closes and the robot halts (link lost)
    if (this.state?.connected && this.ctx.engine.running) void this.ctx.engine.request('robotDisconnect', {}).catch(() => undefined);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.host.dispose();
  }
}
