/**
 * One validation per document version, shared by diagnostics, hovers, code actions and the tree, so
 * a keystroke is parsed once however many features look at it.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { Measurement } from '../engine/config/coverage';
import { validateText, type Validation } from '../engine/config/validate';
import { robotReaderFrom } from '../engine/config/load';
import type { RobotReader } from '../engine/config/robotChecks';

export const EXPERIMENT_LANGUAGE = 's2r-yaml';
export const EXPERIMENT_SELECTOR: vscode.DocumentSelector = [
  { language: EXPERIMENT_LANGUAGE },
  { pattern: '**/*.s2r.{yaml,yml}' },
];

export function isExperiment(document: vscode.TextDocument): boolean {
  return document.languageId === EXPERIMENT_LANGUAGE || /\.s2r\.ya?ml$/.test(document.uri.path);
}

/** Values measured outside the document (the newest sysid.json), with a key that changes with them. */
export type MeasurementSource = (document: vscode.TextDocument) => { key: string; measurement?: Measurement };

export class ExperimentDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; measurementKey: string; validation: Validation }>();
  private readonly closeListener: vscode.Disposable;
  /** Set once the measurement source exists (the coverage check's sysid results). */
  measurements: MeasurementSource | undefined;

  constructor() {
    this.closeListener = vscode.workspace.onDidCloseTextDocument((document) => this.cache.delete(document.uri.toString()));
  }

  validation(document: vscode.TextDocument): Validation {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    const measured = this.measurements?.(document) ?? { key: '' };
    if (cached && cached.version === document.version && cached.measurementKey === measured.key) return cached.validation;
    const validation = validateText(document.getText(), { fileExists: fileExistsNear(document.uri), measurement: measured.measurement, readRobot: robotReaderNear(document.uri) });
    this.cache.set(key, { version: document.version, measurementKey: measured.key, validation });
    return validation;
  }

  dispose(): void {
    this.closeListener.dispose();
    this.cache.clear();
  }
}

/** The URDF's structure and names as you type; its meshes are checked in the URDF's own diagnostics. */
function robotReaderNear(uri: vscode.Uri): RobotReader | undefined {
  if (uri.scheme !== 'file') return undefined;
  const packagePath = vscode.workspace.getConfiguration('sim2real', uri).get<string[]>('robotPackagePath', []);
  return robotReaderFrom(dirname(uri.fsPath), { packagePath, skipMeshes: true });
}

/** Referenced files are checked on local disks only; elsewhere (virtual file systems) the check is skipped. */
function fileExistsNear(uri: vscode.Uri): ((relativePath: string) => boolean) | undefined {
  if (uri.scheme !== 'file') return undefined;
  const base = dirname(uri.fsPath);
  return (relativePath) => existsSync(isAbsolute(relativePath) ? relativePath : resolve(base, relativePath));
}
