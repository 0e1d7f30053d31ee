/**
 * The command table: every command in one place, prefixed once, each with a sensible behaviour when
 * it is run from the palette with nothing selected.
 */
import * as vscode from 'vscode';
import type { Sim2RealContext } from './context';
import { isExperiment } from './experimentDocuments';
import { ExperimentItem } from './experimentTree';
import { RobotStopStatus, stopRobotCommand } from './robotStop';
import { registerPersonPrompts } from './personPrompts';
import { evaluateInSim, trainExperiment } from './runCommands';
import { SafeTestConsole } from './safeTestConsole';
import { deleteRun, evaluateRunOnRobot, revealRunFolder } from './runActions';
import { compareRuns, openGapReport } from './reportCommands';
import { runPipelineCommand } from './pipelineCommands';
import { adaptPerception, evaluatePerception, trainPerception } from './perceptionCommands';

import { applyToExperiment, identifySystem, openSysidReport, registerSysid } from './sysidCommands';

const PREFIX = 'sim2real.';

type CommandHandler = (ctx: Sim2RealContext, ...args: unknown[]) => unknown;

const COMMANDS: Record<string, CommandHandler> = {
  identifySystem: identifySystem,
  applySysidToExperiment: applyToExperiment,
  openSysidReport: openSysidReport,
  trainPerception: trainPerception,
  evaluatePerception: (ctx, target) => evaluatePerception(ctx, target),
  adaptPerception: adaptPerception,
  validateExperiment: validateExperiment,
  newExperiment: newExperiment,
  refreshExperiments: (ctx) => ctx.tree.refresh(),
  trainExperiment: trainExperiment,
  runPipeline: runPipelineCommand,
  evaluateInSim: evaluateInSim,
  evaluateOnRobot: evaluateRunOnRobot,
  revealRunFolder: revealRunFolder,
  deleteRun: deleteRun,
  openGapReport: openGapReport,
  compareRuns: compareRuns,
  showEngineLog: (ctx) => ctx.output.show(true),
  openSafeTestConsole: (ctx) => void SafeTestConsole.show(ctx),
  stopRobot: stopRobotCommand,
  restartEngine: async (ctx) => {
    if (ctx.engine.busy) {
      const restart = 'Restart and Cancel Jobs';
      if ((await vscode.window.showWarningMessage('Sim2Real: the engine is running a job; restarting cancels it (the run stays resumable).', { modal: true }, restart)) !== restart) return;
    }
    await ctx.engine.restart();
    void vscode.window.showInformationMessage('Sim2Real: engine restarted.');
  },
  openSchema: async (ctx) => {
    const schema = vscode.Uri.joinPath(ctx.extension.extensionUri, 'schemas', 'experiment.schema.json');
    await vscode.window.showTextDocument(schema, { preview: true });
  },
};

export function registerCommands(ctx: Sim2RealContext): void {
  registerSysid(ctx);
  registerPersonPrompts(ctx);
  // the robot stop in the status bar, whenever any path holds a robot link (not only the console)
  ctx.subscriptions.push(new RobotStopStatus(ctx.engine, ctx.status));
  for (const [name, handler] of Object.entries(COMMANDS)) {
    ctx.subscriptions.push(vscode.commands.registerCommand(PREFIX + name, (...args: unknown[]) => handler(ctx, ...args)));
  }
}

/** Validate the experiment given (tree item or URI), else the active editor's; show the result. */
async function validateExperiment(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const uri = target instanceof ExperimentItem ? target.uri : target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('Sim2Real: open an experiment (*.s2r.yaml) to validate it.');
    return;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!isExperiment(document)) {
    void vscode.window.showWarningMessage(`Sim2Real: ${vscode.workspace.asRelativePath(uri)} is not an experiment file (*.s2r.yaml).`);
    return;
  }
  const findings = ctx.diagnostics.refresh(document) ?? [];
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const name = vscode.workspace.asRelativePath(uri);
  if (findings.length === 0) {
    void vscode.window.showInformationMessage(`Sim2Real: ${name} is valid.`);
    return;
  }
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  const summary = `Sim2Real: ${name} has ${errors} error(s) and ${warnings} warning(s).`;
  if (errors > 0) void vscode.window.showErrorMessage(summary);
  else void vscode.window.showWarningMessage(summary);
}

const TEMPLATES = [
  { label: 'Push a puck (seed ranges)', description: 'push · friction, mass, restitution, damping, visuals, delays', file: 'push.s2r.yaml' },
  { label: 'Push a puck (Peng et al. 2018)', description: 'push · wide dynamics ranges and memory', file: 'peng2018-push.s2r.yaml' },
];

/** Create an experiment from a bundled template, in the workspace, and open it. */
async function newExperiment(ctx: Sim2RealContext): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Sim2Real: open a folder first; experiments live in the workspace.');
    return;
  }
  const template = await vscode.window.showQuickPick(TEMPLATES, { title: 'New Sim2Real Experiment', placeHolder: 'Start from a template' });
  if (!template) return;
  const name = await vscode.window.showInputBox({
    title: 'Experiment name',
    value: template.file.replace(/\.s2r\.yaml$/, ''),
    validateInput: (value) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value) ? undefined : 'Letters, digits, dot, dash and underscore; start with a letter or digit.'),
  });
  if (!name) return;
  const target = vscode.Uri.joinPath(folder.uri, `${name}.s2r.yaml`);
  try {
    await vscode.workspace.fs.stat(target);
    void vscode.window.showWarningMessage(`Sim2Real: ${name}.s2r.yaml already exists; nothing was overwritten.`);
    return;
  } catch {
    // does not exist: go on
  }
  const source = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples', template.file));
  const text = new TextDecoder().decode(source).replace(/^name: .*$/m, `name: ${name}`);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target);
  ctx.tree.refresh();
}
