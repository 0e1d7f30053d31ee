/**
 * The Experiments view: every *.s2r.yaml in the workspace with its error and warning counts, and
 * under it the experiment's stages (from the validated document) and its runs (from the run
 * folders: status icon, sim and real success and the transfer gap in the description, started time
 * in the tooltip). Run folders are watched, so a run appears, updates and disappears on its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadExperiment } from '../engine/config/load';
import type { StageConfig } from '../engine/config/experiment';
import { latestPipeline, stageLine, STAGE_STATE_LABELS, type PipelineOnDisk } from '../engine/pipeline/pipelineSummary';
import type { StageState } from '../engine/stages/types';
import { listRuns, readRunSummary, runDescription, runTooltipLines, type RunSummary } from '../engine/reports/runSummary';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { experimentNameIn, runsDirectory, RUNS_SETTING_DEFAULT } from './runsFolder';
import { SysidRunItem, sysidRunsOf } from './sysidTreeItem';

export const EXPERIMENT_GLOB = '**/*.s2r.{yaml,yml}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.sim2real/**}';
/** Trainers append to metrics.jsonl every iteration; coalesce the watcher's bursts into one refresh. */
const REFRESH_DEBOUNCE_MS = 250;
/**
 * While a run trains, the tree also re-reads the runs every this many ms: file events for a runs
 * folder created after the watcher started do not arrive in every VS Code host (code-server missed
 * them in the e2e tier), and a stale "training…" would hide a finished run.
 */
const RUNNING_POLL_MS = 2_000;

export class ExperimentItem extends vscode.TreeItem {
  constructor(readonly uri: vscode.Uri, errors: number, warnings: number) {
    super(vscode.workspace.asRelativePath(uri, false).replace(/\.s2r\.ya?ml$/, ''), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `experiment:${uri.toString()}`;
    this.resourceUri = uri;
    this.contextValue = 'experiment';
    this.iconPath = new vscode.ThemeIcon(errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'beaker', errors > 0 ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
    this.description = errors + warnings === 0 ? 'valid' : [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ');
    this.tooltip = new vscode.MarkdownString(`**${vscode.workspace.asRelativePath(uri)}**\n\n${this.description}`);
    this.command = { command: 'vscode.open', title: 'Open Experiment', arguments: [uri] };
  }
}

/** "Stages" or "Runs" under an experiment. */
export class GroupItem extends vscode.TreeItem {
  constructor(
    readonly experiment: vscode.Uri,
    readonly group: 'stages' | 'runs',
    count: number,
  ) {
    super(group === 'stages' ? 'Stages' : 'Runs', count > 0 ? (group === 'runs' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    // VS Code remembers a leaf's state by id: a group that gains its first child needs a new id to
    // open as declared, or the first run stays folded away under "Runs 1"
    this.id = `${group}:${count > 0 ? 'filled' : 'empty'}:${experiment.toString()}`;
    this.contextValue = group;
    this.description = count === 0 ? (group === 'runs' ? 'none yet' : 'none') : String(count);
    this.iconPath = new vscode.ThemeIcon(group === 'stages' ? 'list-ordered' : 'history');
  }
}

const STAGE_ICONS: Record<StageState, [string, string | undefined]> = {
  pending: ['circle-large-outline', undefined],
  running: ['sync~spin', undefined],
  passed: ['pass', 'testing.iconPassed'],
  failed_gate: ['debug-breakpoint-unsupported', 'testing.iconFailed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'disabledForeground'],
  skipped: ['debug-step-over', undefined],
};

export class StageItem extends vscode.TreeItem {
  /** The stage's state in the experiment's newest pipeline (pipeline.json), when one ran it. */
  readonly state: StageState;

  constructor(readonly experiment: vscode.Uri, stage: StageConfig, index: number, pipeline?: PipelineOnDisk) {
    super(`${index + 1}. ${stage.name}`, vscode.TreeItemCollapsibleState.None);
    this.id = `stage:${experiment.toString()}:${index}`;
    // the newest pipeline's record for this stage, if it is still the same stage
    const recorded = pipeline?.record.stages[index];
    const record = recorded && recorded.name === stage.name && recorded.kind === stage.kind ? recorded : undefined;
    this.state = record?.state ?? (stage.skip ? 'skipped' : 'pending');
    this.contextValue = `stage.${this.state}`;
    const line = record ? stageLine(record, pipeline?.stale) : STAGE_STATE_LABELS[this.state];
    this.description = `${stage.kind} · ${stage.episodes} episodes · ${line}`;
    const [icon, colour] = STAGE_ICONS[this.state];
    this.iconPath = new vscode.ThemeIcon(pipeline?.stale && this.state === 'running' ? 'debug-pause' : icon, colour ? new vscode.ThemeColor(colour) : undefined);
    const gate = stage.gate ? [stage.gate.minSimSuccess !== undefined ? `sim ≥ ${stage.gate.minSimSuccess}` : '', stage.gate.minRealSuccess !== undefined ? `real ≥ ${stage.gate.minRealSuccess}` : '', stage.gate.confirm ? 'confirmation' : ''].filter(Boolean).join(', ') : '';
    const lines = [`**${stage.name}** (${stage.kind}): ${stage.episodes} episodes${gate ? `; gate: ${gate}` : ''}`, `State: ${line}`];
    if (record?.message) lines.push(record.message);
    if (pipeline) lines.push(`Pipeline ${pipeline.record.id}: ${pipeline.stale ? 'interrupted (resume it)' : pipeline.record.status}; real episodes ${pipeline.record.realEpisodesUsed} of ${pipeline.record.realEpisodeBudget}`);
    this.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    // a stage with a run opens its gap report (with the stage-by-stage section)
    const runDir = record?.runDir && pipeline ? join(pipeline.dir, record.runDir) : undefined;
    if (runDir && existsSync(join(runDir, 'run.json'))) {
      this.resourceUri = vscode.Uri.file(runDir);
      this.command = { command: 'sim2real.openGapReport', title: 'Open Gap Report', arguments: [new RunItem(experiment, readRunSummary(runDir))] };
    }
  }
}

const STATUS_ICONS: Record<RunSummary['status'], [string, string | undefined]> = {
  running: ['sync~spin', undefined],
  completed: ['pass', 'testing.iconPassed'],
  cancelled: ['circle-slash', 'disabledForeground'],
  failed: ['error', 'testing.iconFailed'],
  unreadable: ['warning', 'problemsWarningIcon.foreground'],
};

export class RunItem extends vscode.TreeItem {
  constructor(
    readonly experiment: vscode.Uri,
    readonly run: RunSummary,
  ) {
    super(run.runId, vscode.TreeItemCollapsibleState.None);
    this.id = `run:${run.dir}`;
    this.resourceUri = vscode.Uri.file(run.dir);
    // e.g. "run.policy.evaluated": menus match with regular expressions on these flags
    this.contextValue = ['run', run.hasPolicy ? 'policy' : '', run.sim ? 'evaluated' : '', run.status === 'running' ? 'running' : '', run.perception?.length ? 'perception' : ''].filter(Boolean).join('.');
    const [icon, colour] = STATUS_ICONS[run.status];
    this.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    this.description = runDescription(run);
    this.tooltip = new vscode.MarkdownString(runTooltipLines(run).join('\n\n'));
    // a run still training opens too: the panel draws its curves as they grow
    if (run.status !== 'unreadable') this.command = { command: 'sim2real.openGapReport', title: 'Open Gap Report', arguments: [this] };
  }
}

export type ExperimentTreeItem = ExperimentItem | GroupItem | StageItem | RunItem | SysidRunItem;

export class ExperimentTree implements vscode.TreeDataProvider<ExperimentTreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExperimentTreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private runsWatchers: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(EXPERIMENT_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      watcher.onDidChange(() => this.refreshSoon()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((uri) => /\.s2r\.ya?ml$/.test(uri.path))) this.refreshSoon();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sim2real.runsDirectory')) {
          this.watchRuns();
          this.refresh();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchRuns()),
      this.changed,
    );
    this.watchRuns();
  }

  /** One watcher per workspace folder on its runs folder (which may not exist yet). */
  private watchRuns(): void {
    for (const d of this.runsWatchers.splice(0)) d.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const setting = vscode.workspace.getConfiguration('sim2real', folder.uri).get<string>('runsDirectory', RUNS_SETTING_DEFAULT);
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${setting.replace(/\\/g, '/').replace(/\/+$/, '')}/**`));
      const onEvent = (uri: vscode.Uri): void => {
        // metrics.jsonl grows every iteration; run.json says when the status changes
        if (!uri.path.endsWith('/metrics.jsonl')) this.refreshSoon();
      };
      this.runsWatchers.push(watcher, watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent));
    }
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.fire(undefined);
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  getTreeItem(item: ExperimentTreeItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: ExperimentTreeItem): Promise<ExperimentTreeItem[]> {
    if (!parent) return this.experiments();
    if (parent instanceof ExperimentItem) {
      const { stages, runs } = experimentContents(parent.uri);
      return [new GroupItem(parent.uri, 'stages', stages.length), new GroupItem(parent.uri, 'runs', runs.length + sysidRunsOf(parent.uri).length)];
    }
    if (parent instanceof GroupItem) {
      const { stages, runs, pipeline } = experimentContents(parent.experiment);
      if (parent.group === 'runs' && runs.some((r) => r.status === 'running')) this.pollWhileRunning();
      if (parent.group === 'stages' && pipeline?.record.status === 'running' && !pipeline.stale) this.pollWhileRunning();
      if (parent.group === 'stages') return stages.map((s, i) => new StageItem(parent.experiment, s, i, pipeline));
      // identification results first: they are few, and the newest calibrates what is trained next
      return [...sysidRunsOf(parent.experiment).map((s) => new SysidRunItem(parent.experiment, s)), ...runs.map((r) => new RunItem(parent.experiment, r))];
    }
    return [];
  }

  private pollWhileRunning(): void {
    if (this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.refresh();
    }, RUNNING_POLL_MS);
  }

  private async experiments(): Promise<ExperimentItem[]> {
    const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXCLUDE_GLOB, 500);
    files.sort((a, b) => a.path.localeCompare(b.path));
    return files.map((uri) => {
      const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
      const errors = ours.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
      const warnings = ours.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
      return new ExperimentItem(uri, errors, warnings);
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.pollTimer);
    for (const d of this.runsWatchers.splice(0)) d.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Stages from the validated file (none while it has errors) and runs from its runs folder. The runs
 * are filed under the experiment's `name`, which is read even from an invalid file so that a typo
 * elsewhere does not hide the runs.
 */
export function experimentContents(uri: vscode.Uri): { stages: readonly StageConfig[]; runs: RunSummary[]; pipeline?: PipelineOnDisk } {
  if (uri.scheme !== 'file') return { stages: [], runs: [] };
  let stages: readonly StageConfig[] = [];
  let name: string | undefined;
  try {
    const loaded = loadExperiment(uri.fsPath);
    stages = loaded.experiment?.stages ?? [];
    name = loaded.experiment?.name ?? experimentNameIn(loaded.text);
  } catch {
    try {
      name = experimentNameIn(readFileSync(uri.fsPath, 'utf8'));
    } catch {
      // deleted between the listing and now: the watcher refreshes the tree
    }
  }
  const runs = name ? listRuns(join(runsDirectory(uri), name)) : [];
  const pipeline = name ? latestPipeline(join(runsDirectory(uri), name)) : undefined;
  return { stages, runs, ...(pipeline ? { pipeline } : {}) };
}
