/**
 * Train Perception Model, Evaluate Perception on Robot Images and Adapt Perception (DANN): the
 * `sim2real perception` jobs from the editor. Each runs in the engine (its perception worker) under
 * a cancellable progress notification, writes into a run folder as the CLI does (perception.onnx,
 * perception.json), and ends in the gap report, whose visual-gap section shows the errors. Camera
 * images come only from the experiment's configured robot address; the engine checks that too.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { PERCEPTION_MODEL_FILES as MODEL_FILES } from '../engine/perception/modelFiles';
import type { PositionErrors } from '../engine/perception/samples';
import { readRunSummary, runDescription, type RunSummary } from '../engine/reports/runSummary';
import type { Sim2RealContext } from './context';
import { EXPERIMENT_GLOB, experimentContents, ExperimentItem, RunItem } from './experimentTree';
import { GapReportPanel } from './gapReportPanel';
import { reportEngineError, runsDirectory, targetExperiment, withEngineProgress } from './runCommands';
import { consentToEngineWork } from './trust';

const cm = (e: PositionErrors): string => `mean ${e.meanCm.toFixed(2)} cm, p95 ${e.p95Cm.toFixed(2)} cm over ${e.images} images`;

/** The `sim2real.perception.*` settings; unset ones leave the CLI's defaults to the engine. */
function settings(uri: vscode.Uri): { get(key: string): number | undefined } {
  const config = vscode.workspace.getConfiguration('sim2real.perception', uri);
  return { get: (key) => config.get<number | null>(key) ?? undefined };
}

interface RunChoice extends vscode.QuickPickItem {
  readonly run?: RunSummary;
}

/** Where to train: a run named by the tree, else a new run or (asked) one of the experiment's runs. */
async function trainingTarget(target: unknown, experiment: vscode.Uri): Promise<{ runDir?: string } | undefined> {
  if (target instanceof RunItem) return { runDir: target.run.dir };
  const runs = experimentContents(experiment).runs.filter((r) => r.status !== 'running' && r.status !== 'unreadable');
  if (runs.length === 0) return {};
  const fresh: RunChoice = { label: '$(add) New perception run', description: 'a run of its own', detail: 'Only the perception model; its gap report shows the visual gap alone.' };
  const picks: RunChoice[] = [fresh, ...runs.map((run) => ({ label: run.runId, description: runDescription(run), detail: run.hasPolicy ? 'Next to this run’s policy: its gap report shows the policy and the visual gap together.' : undefined, run }))];
  const picked = await vscode.window.showQuickPick(picks, { title: 'Train the perception model into which run?', placeHolder: 'A new run, or next to a trained policy' });
  if (!picked) return undefined;
  return picked.run ? { runDir: picked.run.dir } : {};
}

export async function trainPerception(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const experimentUri = target instanceof RunItem ? target.experiment : undefined;
  const document = await targetExperiment(experimentUri ?? target);
  if (!document || !(await consentToEngineWork('Training the perception model'))) return;
  if (document.isDirty) await document.save();
  const where = await trainingTarget(target, document.uri);
  if (!where) return;
  const look = await vscode.window.showQuickPick(
    [
      { label: 'With visual randomization', description: MODEL_FILES.randomized, detail: 'Every image drawn from the experiment’s randomization.visuals (Tobin et al.).', randomization: true },
      { label: 'Nominal look only', description: MODEL_FILES.nominal, detail: 'The baseline the visual gap is measured against.', randomization: false },
    ],
    { title: 'Train the perception model on which images?' },
  );
  if (!look) return;
  const name = vscode.workspace.asRelativePath(document.uri);
  const config = settings(document.uri);
  try {
    const result = await withEngineProgress(ctx, `Sim2Real: training the perception model for ${name}`, (token, onProgress) =>
      ctx.engine.request(
        'perceptionTrain',
        {
          file: document.uri.fsPath,
          runsDir: runsDirectory(document.uri),
          ...(where.runDir ? { runDir: where.runDir } : {}),
          randomization: look.randomization,
          samples: config.get('trainingImages'),
          epochs: config.get('epochs'),
        },
        { token, onProgress },
      ),
    );
    ctx.tree.refresh();
    if (result.status === 'cancelled') {
      void vscode.window.showInformationMessage('Sim2Real: perception training cancelled; nothing was written.');
      return;
    }
    const open = 'Open Gap Report';
    const evaluate = 'Evaluate on Robot Images';
    const sim = result.training ? `: sim images ${cm(result.training.simTest)}` : '';
    const choice = await vscode.window.showInformationMessage(`Sim2Real: trained ${look.description} for ${name}${sim}.`, open, evaluate);
    const item = new RunItem(document.uri, readRunSummary(result.runDir));
    if (choice === open) GapReportPanel.show(ctx, [{ runDir: result.runDir, experiment: document.uri }]);
    if (choice === evaluate) await evaluatePerception(ctx, item, look.description);
  } catch (error) {
    await reportEngineError(ctx, `training the perception model for ${name}`, error);
  }
}

/** Perception models in a run folder (perception*.onnx), the randomized one first. */
export function perceptionModelsIn(runDir: string, adapted: boolean): string[] {
  if (!existsSync(runDir)) return [];
  const order = (m: string): number => (m === MODEL_FILES.randomized ? 0 : m === MODEL_FILES.nominal ? 1 : 2);
  return readdirSync(runDir)
    .filter((f) => /^perception.*\.onnx$/.test(f) && (adapted || !f.endsWith('-dann.onnx')))
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

interface PerceptionTarget {
  readonly runDir: string;
  readonly experiment: vscode.Uri;
  readonly model: string;
}

/** The run (tree item, or picked among the workspace's runs with a model) and its model (picked when several). */
async function perceptionTarget(target: unknown, what: string, adapted: boolean, model?: string): Promise<PerceptionTarget | undefined> {
  let run: { runDir: string; experiment: vscode.Uri } | undefined;
  if (target instanceof RunItem) run = { runDir: target.run.dir, experiment: target.experiment };
  else {
    const only = target instanceof ExperimentItem ? [target.uri] : target instanceof vscode.Uri ? [target] : undefined;
    const files = only ?? (await vscode.workspace.findFiles(EXPERIMENT_GLOB, '{**/node_modules/**,**/.sim2real/**}', 500));
    const picks = files.flatMap((experiment) =>
      experimentContents(experiment)
        .runs.filter((r) => perceptionModelsIn(r.dir, adapted).length > 0)
        .map((r) => ({ label: r.runId, description: `${vscode.workspace.asRelativePath(experiment)} · ${runDescription(r)}`, runDir: r.dir, experiment })),
    );
    if (picks.length === 0) {
      void vscode.window.showInformationMessage('Sim2Real: no run has a perception model yet: run Sim2Real: Train Perception Model first.');
      return undefined;
    }
    const picked = picks.length === 1 ? picks[0] : await vscode.window.showQuickPick(picks, { title: `${what}: which run’s perception model?`, matchOnDescription: true });
    if (!picked) return undefined;
    run = { runDir: picked.runDir, experiment: picked.experiment };
  }
  const models = perceptionModelsIn(run.runDir, adapted);
  if (models.length === 0) {
    void vscode.window.showWarningMessage(`Sim2Real: ${run.runDir} has no perception model: run Sim2Real: Train Perception Model on it first.`);
    return undefined;
  }
  const chosen = model && models.includes(model) ? model : models.length === 1 ? models[0] : await vscode.window.showQuickPick(models, { title: `${what}: which model?` });
  return chosen ? { ...run, model: chosen } : undefined;
}

/** Consent in an untrusted workspace and a saved experiment (the engine reads its robot address from the file); its name for messages. */
async function prepare(target: PerceptionTarget, what: string): Promise<string | undefined> {
  if (!(await consentToEngineWork(what))) return undefined;
  const document = await vscode.workspace.openTextDocument(target.experiment);
  if (document.isDirty) await document.save();
  return vscode.workspace.asRelativePath(target.experiment);
}

export async function evaluatePerception(ctx: Sim2RealContext, target?: unknown, model?: string): Promise<void> {
  const picked = await perceptionTarget(target, 'Evaluate perception', true, model);
  if (!picked) return;
  const name = await prepare(picked, 'Evaluating the perception model on robot images');
  if (!name) return;
  const run = picked.runDir.split(/[\\/]/).pop();
  try {
    const result = await withEngineProgress(ctx, `Sim2Real: evaluating ${picked.model} of ${run} on robot images`, (token, onProgress) =>
      ctx.engine.request('perceptionEvaluate', { file: picked.experiment.fsPath, runDir: picked.runDir, model: picked.model, images: settings(picked.experiment).get('realImages') }, { token, onProgress }),
    );
    ctx.tree.refresh();
    if (result.status === 'cancelled' || !result.errors) {
      void vscode.window.showInformationMessage('Sim2Real: perception evaluation cancelled; nothing was written.');
      return;
    }
    // the report is where the figure sits beside the sim error and the other models
    GapReportPanel.show(ctx, [{ runDir: picked.runDir, experiment: picked.experiment }]);
    void vscode.window.showInformationMessage(`Sim2Real: ${picked.model} on ${result.source} camera images: ${cm(result.errors)}.`);
  } catch (error) {
    await reportEngineError(ctx, `evaluating the perception model of ${name} on robot images`, error);
  }
}

export async function adaptPerception(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const picked = await perceptionTarget(target, 'Adapt perception (DANN)', false);
  if (!picked) return;
  const name = await prepare(picked, 'Adapting the perception model to robot images');
  if (!name) return;
  const run = picked.runDir.split(/[\\/]/).pop();
  const config = settings(picked.experiment);
  try {
    const result = await withEngineProgress(ctx, `Sim2Real: adapting ${picked.model} of ${run} (DANN)`, (token, onProgress) =>
      ctx.engine.request(
        'perceptionAdapt',
        {
          file: picked.experiment.fsPath,
          runDir: picked.runDir,
          model: picked.model,
          realImages: config.get('dannRealImages'),
          evalImages: config.get('dannHeldOutImages'),
          simImages: config.get('dannSimImages'),
          steps: config.get('dannSteps'),
        },
        { token, onProgress },
      ),
    );
    ctx.tree.refresh();
    if (result.status === 'cancelled' || !result.before || !result.after) {
      void vscode.window.showInformationMessage('Sim2Real: adaptation cancelled; nothing was written.');
      return;
    }
    GapReportPanel.show(ctx, [{ runDir: picked.runDir, experiment: picked.experiment }]);
    void vscode.window.showInformationMessage(`Sim2Real: DANN on held-out robot images: before ${cm(result.before)}; after ${cm(result.after)} (${result.adaptedModel}).`);
  } catch (error) {
    await reportEngineError(ctx, `adapting the perception model of ${name}`, error);
  }
}
