/** Entry point: build the context, register everything, nothing else. */
import * as vscode from 'vscode';
import { registerCommands } from './providers/commands';
import { COMPLETION_TRIGGERS, experimentCompletions } from './providers/completion';
import { experimentQuickFixes, QUICK_FIX_METADATA } from './providers/codeActions';
import { Sim2RealContext } from './providers/context';
import { EXPERIMENT_SELECTOR } from './providers/experimentDocuments';
import { experimentHovers } from './providers/hover';

let context: Sim2RealContext | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  const ctx = new Sim2RealContext(extension);
  context = ctx;
  extension.subscriptions.push(ctx);
  ctx.subscriptions.push(
    vscode.languages.registerCompletionItemProvider(EXPERIMENT_SELECTOR, experimentCompletions, ...COMPLETION_TRIGGERS),
    vscode.languages.registerHoverProvider(EXPERIMENT_SELECTOR, experimentHovers(ctx.documents)),
    vscode.languages.registerCodeActionsProvider(EXPERIMENT_SELECTOR, experimentQuickFixes(ctx.documents), QUICK_FIX_METADATA),
    vscode.window.registerTreeDataProvider('sim2real.experiments', ctx.tree),
  );
  registerCommands(ctx);
  ctx.output.info('Sim2Real Workbench activated.');
}

export function deactivate(): void {
  context?.dispose();
  context = undefined;
}
