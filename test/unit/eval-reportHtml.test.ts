/**
 * The gap report as HTML: the same figures as report.json, escaped text, no script, charts as
 * images when the panel exported them and as inline SVG otherwise, the sensitivity table most
 * fragile first; `sim2real report --format html` prints it and writes report.html. Also the panel's
 * message checks: a chart that is not a PNG data URL, or an unknown chart name, is refused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { summarizeEpisodes, type EvaluationReport } from '../../src/engine/evaluate/report';
import { gapReportHtml } from '../../src/engine/reports/reportHtml';
import { buildGapReport } from '../../src/engine/reports/runReport';
import { REAL_EVALUATION_FILE } from '../../src/engine/runs/runStore';
import type { SensitivityReport } from '../../src/engine/evaluate/sensitivity';
import { GAP_WEBVIEW_MESSAGES } from '../../src/messages/gapReport';

const parseWebviewMessage = GAP_WEBVIEW_MESSAGES.parse;

const ROOT = resolve(import.meta.dirname, '../..');

function report(successes: number, episodes: number, ret: number): EvaluationReport {
  const records = Array.from({ length: episodes }, (_, i) => ({ episodeReturn: ret, length: 80, success: i < successes }));
  return summarizeEpisodes(records, { randomized: true, seed: 1, task: 'push', policy: 'policy.onnx' });
}

function runFolder(experimentName = 'push-dr'): string {
  const dir = mkdtempSync(join(tmpdir(), 's2r-html-'));
  mkdirSync(join(dir, 'checkpoints'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 1, runId: 'r1', experimentName, task: 'push', seed: 1, status: 'completed', createdAt: '', updatedAt: '', versions: {}, experiment: {} }));
  const lines = [
    { type: 'progress', iteration: 1, episodes: 16, envSteps: 2400, avgReturn: -5, successRate: 0.1, elapsedSeconds: 2 },
    { type: 'evaluation', iteration: 1, envSteps: 2400, stage: 'sim', report: report(3, 10, -4) },
    { type: 'progress', iteration: 2, episodes: 32, envSteps: 4800, avgReturn: -1, successRate: 0.6, elapsedSeconds: 4 },
  ];
  writeFileSync(join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(report(90, 100, 3.25)));
  writeFileSync(join(dir, REAL_EVALUATION_FILE), JSON.stringify({ report: report(35, 50, 1.5), address: 'ws://127.0.0.1:9090' }));
  return dir;
}

const sweep: SensitivityReport = {
  format: 'sim2real-sensitivity/1', experiment: 'push-dr', task: 'push', policy: 'p', createdAt: '', seed: 1, episodesPerPoint: 10,
  nominal: { successRate: 0.9, successCi: [0.6, 0.98], avgReturn: 1 },
  parameters: [
    { name: 'friction', group: 'physics', unit: 'coefficient', operation: 'scale', distribution: 'uniform', range: [0.5, 1.5], dropPoints: 10, points: [{ raw: 0, value: 0, inRange: false, successRate: 0.8, successCi: [0, 1], avgReturn: 0, episodes: 10 }] },
    { name: 'action_delay', group: 'dynamics', unit: 'control steps', operation: 'abs', distribution: 'randint', range: [0, 3], dropPoints: 70, points: [{ raw: 5, value: 5, inRange: false, successRate: 0.2, successCi: [0, 1], avgReturn: 0, episodes: 10 }] },
  ],
  skipped: [{ name: 'light_intensity', reason: 'visual' }],
};

test('the HTML report carries the figures of report.json, the verdict and advice, and no script', () => {
  const built = buildGapReport(runFolder());
  const html = gapReportHtml(built, { sensitivity: sweep });
  assert.match(html, /<td>90\.0% \[\d+\.\d%, \d+\.\d%\]<\/td><td>70\.0% \[/);
  assert.match(html, /<td>3\.25<\/td><td>1\.50<\/td>/);
  assert.match(html, /Transfer gap: 20\.0 points \(<span class="verdict-moderate">moderate/);
  for (const advice of built.gap!.advice) assert.ok(html.includes(advice.replace(/'/g, '&#39;')), advice);
  assert.ok(!/<script/i.test(html));
  // no charts given: the training curve is inline SVG
  assert.match(html, /<svg [^>]*aria-label="Training curves"/);
  // most fragile parameter first
  assert.ok(html.indexOf('action_delay') < html.indexOf('>friction'), 'sorted by drop');
  assert.match(html, /Not swept: light_intensity/);
});

test('text from the run is escaped; exported charts are linked as images', () => {
  const built = buildGapReport(runFolder('<img src=x onerror=alert(1)>'));
  const html = gapReportHtml(built, { charts: [{ title: 'Training curves', file: 'training-curves.png' }] });
  assert.ok(!html.includes('<img src=x'), 'experiment name escaped');
  assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/);
  assert.match(html, /<img src="training-curves\.png" alt="Training curves">/);
  assert.ok(!html.includes('<svg'), 'PNG charts replace the SVG');
});

test('sim2real report --format html prints the HTML report and writes report.html beside report.json', () => {
  const dir = runFolder();
  writeFileSync(join(dir, 'sensitivity.json'), JSON.stringify(sweep));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/engine/cli.ts'), 'report', dir, '--format', 'html'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^<!DOCTYPE html>/);
  assert.match(result.stdout, /Per-parameter sensitivity/);
  for (const file of ['report.json', 'report.md', 'report.html']) assert.ok(existsSync(join(dir, file)), file);
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.equal(json.gap.verdict, 'moderate');
  const bad = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/engine/cli.ts'), 'report', dir, '--format', 'pdf'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /md, html or json/);
});

test('panel messages: only PNG data URLs under known chart names are accepted', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  assert.deepEqual(parseWebviewMessage({ kind: 'export', charts: [{ runDir: '/r', name: 'sensitivity', dataUrl: png }] }), { kind: 'export', charts: [{ runDir: '/r', name: 'sensitivity', dataUrl: png }] });
  assert.equal(parseWebviewMessage({ kind: 'export', charts: [{ runDir: '/r', name: '../../evil', dataUrl: png }] }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'export', charts: [{ runDir: '/r', name: 'sensitivity', dataUrl: 'data:text/html;base64,PGI+' }] }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'export', charts: [{ runDir: 5, name: 'sensitivity', dataUrl: png }] }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'computeSensitivity' }), undefined);
  assert.deepEqual(parseWebviewMessage({ kind: 'computeSensitivity', runDir: '/r' }), { kind: 'computeSensitivity', runDir: '/r' });
  assert.equal(parseWebviewMessage({ kind: 'deleteEverything' }), undefined);
});
