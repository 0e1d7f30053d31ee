/**
 * The safe-test console's webview: the big stop button (always visible), the connection and episode
 * controls, the emergency-stop-within-reach confirmation, live plots of joint positions and commands,
 * the speed limit in force, the episode counter, and the safety log. Everything it shows arrives by
 * message after the ready handshake, checked against src/messages/console.ts.
 *
 * The stop fires on pointerdown, not on click: a click completes on release, and a person hitting a
 * stop should not have to let go first. Keyboard activation (Enter/Space) comes through `click`.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import { listen, post } from '../shared/messaging';
import { DirectStop } from './directStop';
import { startPlots, type PlotSink } from './plotHost';
import { resolvePlotThread } from './plotThread';
import {
  CONSOLE_HOST_MESSAGES,
  type ConsoleHostMessage,
  type ConsoleWebviewMessage,
  type EpisodeRequest,
  type PlotThreadSetting,
  type RobotSafetyEntry,
  type RobotSessionState,
} from '../../src/messages/console';
import './main.css';
import { el } from '../shared/dom';

const STOP_LABEL = 'Protective stop (IEC 60204-1 cat. 2) — not your emergency stop';

const send = (message: ConsoleWebviewMessage): void => post(message);

// ---- layout -------------------------------------------------------------------------------------
const app = document.getElementById('app')!;

const stopBar = el('header', { class: 'stop-bar' });
const stopButton = el('button', { id: 'stop', class: 'stop-button', type: 'button', title: STOP_LABEL, 'aria-label': `Stop the robot. ${STOP_LABEL}` });
stopButton.append(el('span', { class: 'codicon codicon-debug-stop' }), el('span', { class: 'stop-word' }, 'STOP'));
const stopText = el('div', { class: 'stop-text' });
stopText.append(el('strong', {}, STOP_LABEL), el('div', { class: 'muted' }, 'Keep the robot\'s hardware emergency stop within reach: this button is software. Also: Ctrl+Alt+. (Cmd+Alt+.) or the status bar.'));
// which way a press travels: people (and the end-to-end test) can see the direct path is up
const stopPath = el('div', { class: 'muted', id: 'stop-path' }, 'Stop path: through VS Code');
stopText.append(stopPath);
const directStop = new DirectStop();
directStop.onChange((open) => {
  stopPath.textContent = open ? 'Stop path: direct to the engine (loopback), and through VS Code' : 'Stop path: through VS Code';
  stopPath.dataset.direct = String(open);
});
stopBar.append(stopButton, stopText);

const statusCard = el('section', { class: 'card status', 'aria-label': 'Robot session' });
const fields = el('dl', { class: 'fields' });
const field = (label: string, id: string): HTMLElement => {
  const value = el('dd', { id });
  fields.append(el('dt', {}, label), value);
  return value;
};
const addressValue = field('Address', 'address');
const experimentValue = field('Experiment', 'experiment');
const policyValue = field('Policy', 'policy');
const stateValue = field('Robot', 'robot-state');
const speedValue = field('Speed limit', 'speed-limit');
const episodesValue = field('Episodes', 'episode-counter');
const problemLine = el('p', { class: 'error', id: 'problem' });

const connectButton = el('vscode-button', { id: 'connect' }, 'Connect');
const disconnectButton = el('vscode-button', { id: 'disconnect', secondary: '' }, 'Disconnect');
const estopCheck = el('vscode-checkbox', { id: 'estop-confirm', label: 'The robot\'s hardware emergency stop is within my reach' }) as HTMLElement & { checked: boolean; disabled: boolean };
const startButton = el('vscode-button', { id: 'start-episode', icon: 'play' }, 'Start episode');
const armButton = el('vscode-button', { id: 'arm', secondary: '', icon: 'unlock' }, 'Re-arm');
const controls = el('div', { class: 'controls' });
controls.append(connectButton, disconnectButton);
const episodeControls = el('div', { class: 'controls' });
episodeControls.append(startButton, armButton);
const estopNote = el('p', { class: 'muted', id: 'estop-note' }, 'Before the first episode of a session, confirm the hardware emergency stop is within your reach.');
// a job's episode (an evaluation, a pipeline stage, ...) waiting for the person's start
const episodeRequestLine = el('p', { class: 'episode-request', id: 'episode-request', 'aria-live': 'polite' });
statusCard.append(fields, problemLine, controls, el('vscode-divider'), episodeRequestLine, estopCheck, estopNote, episodeControls);

const plotsSection = el('section', { class: 'plots' });
const positionCanvas = el('canvas', { id: 'positions', 'aria-label': 'Joint positions, rad' });
const commandCanvas = el('canvas', { id: 'commands', 'aria-label': 'Joint commands, rad' });
const plotBox = (title: string, canvas: HTMLCanvasElement): HTMLElement => {
  const box = el('div', { class: 'card plot' });
  const holder = el('div', { class: 'plot-holder' });
  holder.append(canvas);
  box.append(el('h3', {}, title), holder);
  return box;
};
plotsSection.append(plotBox('Joint positions (rad)', positionCanvas), plotBox('Joint commands (rad)', commandCanvas));

const logCard = el('section', { class: 'card' });
const safetyLog = el('ol', { id: 'safety-log', class: 'safety-log', 'aria-live': 'polite' });
const episodesTable = el('table', { id: 'episodes' });
const head = el('tr');
for (const h of ['#', 'result', 'return', 'steps', 'speed', 'note']) head.append(el('th', {}, h));
episodesTable.append(el('thead'), el('tbody'));
episodesTable.tHead!.append(head);
logCard.append(el('h3', {}, 'Safety log'), safetyLog, el('h3', {}, 'Episodes'), episodesTable);

app.append(stopBar, statusCard, plotsSection, logCard);

// ---- plots (theme colours from VS Code's variables; drawn off this thread unless set otherwise) ----
const css = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
let plots: PlotSink | undefined;
/** Starts the plots once, where the first setup message says (sim2real.console.plotThread). */
function ensurePlots(setting: PlotThreadSetting = 'auto'): PlotSink {
  plots ??= startPlots(
    positionCanvas,
    commandCanvas,
    {
      series: [css('--vscode-charts-blue', '#3794ff'), css('--vscode-charts-orange', '#d18616'), css('--vscode-charts-green', '#89d185')],
      text: css('--vscode-foreground', '#cccccc'),
      grid: css('--vscode-panel-border', '#80808059'),
    },
    resolvePlotThread(setting, navigator.hardwareConcurrency),
    (place) => {
      plotsSection.dataset.drawnIn = place;
    },
    (message) => addSafety({ tMs: performance.now(), level: 'warning', message }),
  );
  return plots;
}

// ---- state --------------------------------------------------------------------------------------
let session: RobotSessionState | undefined;
let estopConfirmed = false;
let configuredAddress: string | undefined;
let busy = false;
/** A job waiting for the person to start its next episode(s) on the robot. */
let episodeRequest: EpisodeRequest | undefined;

function setDisabled(node: HTMLElement, disabled: boolean): void {
  (node as HTMLElement & { disabled: boolean }).disabled = disabled;
}

function render(): void {
  const connected = session?.connected === true;
  addressValue.textContent = session?.address ?? configuredAddress ?? '—';
  if (!session) stateValue.textContent = 'not connected';
  else if (!connected) stateValue.textContent = 'disconnected';
  else {
    const halted = session.robot === 'halted' ? ` (${session.haltReason ?? 'unknown'}${session.haltDetail ? `: ${session.haltDetail}` : ''})` : '';
    stateValue.textContent = `${session.robot}${halted}${session.stopped || haltedByDecision() ? ' · STOPPED — re-arm to move again' : ''}${session.episodeRunning ? ' · episode running' : ''}`;
  }
  stateValue.className = session?.stopped || session?.robot === 'halted' ? 'error' : '';
  speedValue.textContent = session ? `×${session.speedScale.toFixed(2)}${session.speedScale < 1 ? ' (reduced for the first episodes)' : ' (full speed)'}` : '—';
  episodesValue.textContent = session ? String(session.episodesStarted) : '0';
  setDisabled(connectButton, connected || busy || !configuredAddress);
  setDisabled(disconnectButton, !connected);
  estopCheck.checked = estopConfirmed;
  setDisabled(estopCheck, !connected && !episodeRequest);
  // a job's episode runs on the job's own link: it needs the person and the e-stop, not this session
  if (episodeRequest) setDisabled(startButton, !estopConfirmed);
  // a robot halted by a stop or the safety layer (pressed anywhere, even in an earlier session) starts nothing until re-armed
  else setDisabled(startButton, !connected || !estopConfirmed || session!.episodeRunning || session!.stopped || haltedByDecision() || !session!.policy);
  episodeRequestLine.hidden = !episodeRequest;
  episodeRequestLine.textContent = episodeRequest ? episodeRequestText(episodeRequest) : '';
  setDisabled(armButton, !connected || session!.episodeRunning || (!session!.stopped && session!.robot !== 'halted'));
  estopNote.hidden = estopConfirmed;
  document.body.classList.toggle('stopped', session?.stopped === true);
}

function episodeRequestText(r: EpisodeRequest): string {
  const of = r.of !== undefined ? ` of ${r.of}` : '';
  const which = r.count > 1 ? `episodes ${r.episode}-${r.episode + r.count - 1}${of} (one start runs this supervised batch; any stop ends it)` : `episode ${r.episode}${of}`;
  return `${r.path} · ${which}: press Start episode when the robot is clear.`;
}

function haltedByDecision(): boolean {
  return session?.robot === 'halted' && (session.haltReason === 'stop' || session.haltReason === 'safety');
}

function addSafety(entry: RobotSafetyEntry): void {
  const item = el('li', { class: `safety-${entry.level}` });
  item.append(el('span', { class: `codicon codicon-${entry.level === 'stop' ? 'debug-stop' : entry.level === 'warning' ? 'warning' : 'info'}` }), el('span', {}, ` ${new Date().toLocaleTimeString()} ${entry.message}`));
  safetyLog.prepend(item);
  while (safetyLog.children.length > 200) safetyLog.lastElementChild!.remove();
}

function onMessage(message: ConsoleHostMessage): void {
  switch (message.kind) {
    case 'setup':
      ensurePlots(message.plotThread);
      configuredAddress = message.address;
      experimentValue.textContent = message.experiment ?? '—';
      policyValue.textContent = message.policy ?? 'none';
      problemLine.textContent = message.problem ?? '';
      break;
    case 'state':
      session = message.state;
      directStop.follow(message.state.connected ? message.state.stopEndpoint : undefined);
      estopConfirmed = message.estopConfirmed;
      busy = false;
      if (message.state.connected) problemLine.textContent = '';
      break;
    case 'telemetry':
      // 20 times a second: nothing else on the page changes, so no re-render of the controls
      ensurePlots().add(message.samples);
      return;
    case 'safety':
      addSafety(message.entry);
      break;
    case 'episode': {
      const r = message.record;
      const row = el('tr');
      const result = r.success ? 'success' : r.termination;
      for (const cell of [String(r.index + 1), result, r.episodeReturn.toFixed(2), String(r.length), `×${r.speedScale}`, r.abortReason ?? '']) row.append(el('td', {}, cell));
      episodesTable.tBodies[0]!.prepend(row);
      break;
    }
    case 'error':
      busy = false;
      problemLine.textContent = message.message;
      break;
    case 'episodePrompt':
      episodeRequest = message.request;
      break;
  }
  render();
}

// ---- input --------------------------------------------------------------------------------------
// both paths, direct first: the engine keeps the first copy of a press and notes the second
function stopNow(): void {
  directStop.stop();
  send({ kind: 'stop' });
}
stopButton.addEventListener('pointerdown', (event) => {
  if (event.button !== 0) return;
  stopNow();
});
stopButton.addEventListener('click', (event) => {
  // detail 0: Enter or Space; a pointer press already sent its stop on pointerdown
  if (event.detail === 0) stopNow();
});
connectButton.addEventListener('click', () => {
  busy = true;
  problemLine.textContent = '';
  render();
  send({ kind: 'connect' });
});
disconnectButton.addEventListener('click', () => send({ kind: 'disconnect' }));
estopCheck.addEventListener('change', () => {
  estopConfirmed = estopCheck.checked;
  send({ kind: 'confirmEstop', confirmed: estopConfirmed });
  render();
});
startButton.addEventListener('click', () => {
  problemLine.textContent = '';
  send({ kind: 'startEpisode' });
});
armButton.addEventListener('click', () => send({ kind: 'arm' }));

render();
listen(CONSOLE_HOST_MESSAGES.parse, onMessage);
