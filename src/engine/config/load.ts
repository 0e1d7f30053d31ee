/** Reading an experiment from disk: validate, then resolve. Used by the CLI and the engine process. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, resolve } from 'node:path';
import type { Experiment } from './experiment';
import type { Finding, FindingJson } from './findings';
import { LineIndex } from './lineIndex';
import { resolveExperiment } from './resolve';
import { TEXT_LIMITS } from './limits';
import { tooLargeFinding } from './parseYaml';
import { validateText } from './validate';
import { loadUrdf } from '../urdf/loadUrdf';
import type { RobotReader } from './robotChecks';

export interface LoadedExperiment {
  /** Present only when there is no error finding. */
  readonly experiment?: Experiment;
  readonly findings: Finding[];
  readonly text: string;
  readonly lines: LineIndex;
  readonly path: string;
}

export function fileExistsFrom(baseDir: string): (relativePath: string) => boolean {
  return (relativePath) => existsSync(isAbsolute(relativePath) ? relativePath : resolve(baseDir, relativePath));
}

/** Loads a URDF named in an experiment, relative to the experiment's folder. */
export function robotReaderFrom(baseDir: string, options: { readonly packagePath?: readonly string[]; readonly skipMeshes?: boolean } = {}): RobotReader {
  return (relativePath) => {
    const path = isAbsolute(relativePath) ? relativePath : resolve(baseDir, relativePath);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      return undefined;
    }
    // The editor validates on every keystroke: read a URDF again only when it changed on disk.
    const key = `${path}|${options.skipMeshes ? 1 : 0}|${(options.packagePath ?? []).join(delimiter)}`;
    const hit = robotCache.get(key);
    if (hit && hit.mtimeMs === mtimeMs) return hit.loaded;
    const loaded = loadUrdf(path, options);
    if (robotCache.size >= 16) robotCache.delete(robotCache.keys().next().value!);
    robotCache.set(key, { mtimeMs, loaded });
    return loaded;
  };
}

const robotCache = new Map<string, { mtimeMs: number; loaded: ReturnType<typeof loadUrdf> }>();

export function loadExperiment(path: string): LoadedExperiment {
  const absolute = resolve(path);
  const stat = statSync(absolute);
  if (stat.isDirectory()) {
    // reading it throws EISDIR, which would end a whole `validate` run; pipes and devices still read fine
    const finding: Finding = { severity: 'error', code: 'missing-file', message: 'A directory, not an experiment file.', start: 0, end: 0 };
    return { findings: [finding], text: '', lines: new LineIndex(''), path: absolute };
  }
  const size = stat.size;
  if (size > TEXT_LIMITS.maxBytes) {
    // Refused before reading it into memory.
    return { findings: [tooLargeFinding(size, 0)], text: '', lines: new LineIndex(''), path: absolute };
  }
  const text = readFileSync(absolute, 'utf8');
  const validation = validateText(text, { fileExists: fileExistsFrom(dirname(absolute)), readRobot: robotReaderFrom(dirname(absolute)) });
  const hasError = validation.findings.some((f) => f.severity === 'error');
  const experiment = !hasError && validation.root?.kind === 'map' ? resolveExperiment(validation.root, absolute) : undefined;
  return { experiment, findings: validation.findings, text, lines: validation.lines, path: absolute };
}

/** `FILE:LINE:COL: error|warning: message [code]`, lines and columns 1-based, as compilers print. */
export function formatFinding(path: string, lines: LineIndex, finding: Finding): string {
  const at = lines.positionAt(finding.start);
  return `${path}:${at.line + 1}:${at.character + 1}: ${finding.severity}: ${finding.message} [${finding.code}]`;
}

/** The JSON form of a finding, for `--json` and the engine protocol. */
export function findingToJson(path: string, lines: LineIndex, finding: Finding): FindingJson {
  const start = lines.positionAt(finding.start);
  const end = lines.positionAt(finding.end);
  return {
    file: path,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    severity: finding.severity,
    code: finding.code,
    message: finding.message,
  };
}
