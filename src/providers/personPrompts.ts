/**
 * The engine's questions for the person, from any job (personPrompt events): a pipeline's gates,
 * the emergency-stop confirmation before a real robot's first motion and every re-arm after a
 * protective stop are modal dialogs; an episode's start is the safe-test console's "Start episode",
 * where the stop button is. The answer goes back as personReply; a dialog dismissed is a no.
 */
import * as vscode from 'vscode';
import type { PersonPromptClosedEvent, PersonPromptEvent } from '../messages/engine';
import type { Sim2RealContext } from './context';
import { SafeTestConsole } from './safeTestConsole';

/** The modal dialogs: title and the one button that says yes. */
const DIALOGS: Record<'confirm' | 'estop' | 'rearm', { readonly title: string; readonly yes: string }> = {
  confirm: { title: 'Sim2Real pipeline', yes: 'Continue' },
  estop: { title: 'Sim2Real · a real robot is about to move', yes: 'The Emergency Stop Is Within My Reach' },
  rearm: { title: 'Sim2Real · the robot stopped', yes: 'Re-arm the Robot' },
};

export function registerPersonPrompts(ctx: Sim2RealContext): void {
  ctx.subscriptions.push(ctx.engine.onPersonPrompt((event) => void answer(ctx, event)));
}

async function answer(ctx: Sim2RealContext, event: PersonPromptEvent | PersonPromptClosedEvent): Promise<void> {
  if (event.kind === 'personPromptClosed') {
    SafeTestConsole.open?.closeEpisodePrompt(event.promptId);
    return;
  }
  if (event.prompt === 'episode') {
    SafeTestConsole.show(ctx).askEpisodeStart({ promptId: event.promptId, path: event.path ?? 'a job', episode: event.episode ?? 1, count: event.count ?? 1, ...(event.of !== undefined ? { of: event.of } : {}) });
    return;
  }
  ctx.tree.refresh();
  const dialog = DIALOGS[event.prompt];
  const title = event.prompt === 'confirm' && event.stage ? `${dialog.title} · ${event.stage}` : dialog.title;
  const choice = await vscode.window.showWarningMessage(title, { modal: true, detail: event.message }, dialog.yes);
  ctx.output.info(`${title}: ${choice === dialog.yes ? dialog.yes : 'declined'}`);
  await ctx.engine.request('personReply', { promptId: event.promptId, accept: choice === dialog.yes }).catch(() => undefined);
}
