/**
 * The experiment checker used by the editor, the CLI and the engine alike: parse once into a tree,
 * check it against the schema, then check its meaning. Pure: no `vscode`, no file I/O of its own.
 */
import type { Measurement } from './coverage';
import type { RobotReader } from './robotChecks';
import { EXPERIMENT_SCHEMA } from './schema';
import { checkSchema } from './schemaCheck';
import { checkSemantics } from './semantics';
import type { Finding } from './findings';
import { LineIndex } from './lineIndex';
import { parseText } from './parseYaml';
import type { TreeNode } from './yamlTree';

export interface ValidateOptions {
  /** Says whether a path written in the experiment (relative to its folder) exists. */
  readonly fileExists?: (relativePath: string) => boolean;
  /** Values measured outside the file (a sysid.json) for the coverage check. */
  readonly measurement?: Measurement;
  /** Loads the URDF named by robot.description (relative to the experiment's folder). */
  readonly readRobot?: RobotReader;
}

export interface Validation {
  readonly findings: Finding[];
  readonly root: TreeNode | null;
  readonly lines: LineIndex;
}

export function validateText(text: string, options: ValidateOptions = {}): Validation {
  const lines = new LineIndex(text);
  const parsed = parseText(text);
  const findings = parsed.findings;
  const root = parsed.root;
  if (root === null) {
    if (findings.length === 0) {
      findings.push({ severity: 'error', code: 'missing-key', message: "The experiment is empty: it needs at least 'name' and 'task'.", start: 0, end: Math.min(1, text.length) });
    }
  } else if (root.kind !== 'map') {
    findings.push({ severity: 'error', code: 'wrong-type', message: 'An experiment is a mapping of keys (name, task, randomization, ...), not a list or a single value.', start: root.start, end: Math.max(root.end, root.start + 1) });
  } else {
    const anchor = { start: root.start, end: root.start + 1 };
    checkSchema(root, EXPERIMENT_SCHEMA, [], anchor, findings);
    findings.push(...checkSemantics(root, { lines, fileExists: options.fileExists, measurement: options.measurement, readRobot: options.readRobot }));
  }
  const clamped = findings.map((f) => clampFinding(f, text.length));
  clamped.sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code));
  return { findings: dedupe(clamped), root, lines };
}

function clampFinding(finding: Finding, length: number): Finding {
  const start = Math.max(0, Math.min(finding.start, length));
  const end = Math.max(start, Math.min(finding.end, length));
  return start === finding.start && end === finding.end ? finding : { ...finding, start, end };
}

/** The same problem reported twice at the same place (e.g. by a syntax error and the schema) shows once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.start}:${f.end}:${f.code}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
