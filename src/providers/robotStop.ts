/**
 * The robot stop outside the console: the "Sim2Real: Stop Robot" command (bound to a key) and a
 * status-bar item shown while the engine holds any robot link (the console's session, a batch
 * evaluation, a pipeline stage, system identification, camera resets). Both send the engine's
 * robotStop, which the engine posts straight to every link's stop port. A protective stop
 * (IEC 60204-1 category 2), never the robot's hardware emergency stop.
 */
import * as vscode from 'vscode';
import type { Sim2RealContext } from './context';
import type { EngineClient } from './engineClient';
import type { EngineStatus } from './statusBar';
import { monotonicMs } from '../engine/util/clock';

export const STOP_LABEL = 'Protective stop (IEC 60204-1 cat. 2) — not your emergency stop';

/** Send a stop now. Never starts an engine: with none running there is no session to stop. */
export function sendRobotStop(ctx: Sim2RealContext, message: string): Promise<boolean> {
  if (!ctx.engine.running) return Promise.resolve(false);
  return ctx.engine.request('robotStop', { message, hostReceivedMs: monotonicMs() }).then(
    (r) => r.sent,
    (error: Error) => {
      ctx.output.error(`robot stop failed: ${error.message}`);
      return false;
    },
  );
}

export async function stopRobotCommand(ctx: Sim2RealContext): Promise<void> {
  const sent = await sendRobotStop(ctx, 'Sim2Real: Stop Robot (command or keybinding)');
  if (!sent) void vscode.window.showInformationMessage('Sim2Real: no robot link is open; nothing to stop.');
}

/**
 * The status-bar stop, visible exactly while the engine reports a connected console session or any
 * other open robot link. Meanwhile the engine's busy icon stands still (EngineStatus.setStill).
 */
export class RobotStopStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sim2real.robotStop', vscode.StatusBarAlignment.Left, 1000);
  private readonly listener: vscode.Disposable;
  private consoleConnected = false;
  private openLinks = 0;

  constructor(engine: EngineClient, engineStatus?: EngineStatus) {
    this.item.name = 'Sim2Real Robot Stop';
    this.item.text = '$(debug-stop) Stop Robot';
    this.item.tooltip = `${STOP_LABEL}. Keyboard: Ctrl+Alt+. (Cmd+Alt+. on macOS)`;
    this.item.command = 'sim2real.stopRobot';
    // the error background is what VS Code reserves for items that need attention now
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.listener = vscode.Disposable.from(
      engine.onRobotEvent((event) => {
        if (event.kind !== 'robotState') return;
        this.consoleConnected = event.state.connected;
        this.render(engineStatus);
      }),
      engine.onRobotMotion((openLinks) => {
        this.openLinks = openLinks;
        this.render(engineStatus);
      }),
      engine.onDidChangeState((state) => {
        if (state === 'running') return;
        this.consoleConnected = false;
        this.openLinks = 0;
        this.render(engineStatus);
      }),
    );
  }

  private render(engineStatus: EngineStatus | undefined): void {
    const shown = this.consoleConnected || this.openLinks > 0;
    if (shown) this.item.show();
    else this.item.hide();
    engineStatus?.setStill(shown);
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}
