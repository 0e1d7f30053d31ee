/** Validate one experiment file: every finding, placed by line and column (an unreadable or missing file is a finding too). */
import { existsSync } from 'node:fs';
import * as t from '../../common/schema';
import type { FindingJson } from '../config/findings';
import { findingToJson, loadExperiment } from '../config/load';
import type { Job } from './job';

export const validateParams = t.object({ file: t.string() });
export type ValidateParams = t.Infer<typeof validateParams>;

export interface ValidateResult {
  readonly findings: FindingJson[];
}

export const validate: Job<ValidateParams, ValidateResult> = async ({ file }) => {
  if (!existsSync(file)) return { findings: [{ file, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'missing-file', message: 'No such file.' }] };
  const loaded = loadExperiment(file);
  return { findings: loaded.findings.map((f) => findingToJson(file, loaded.lines, f)) };
};
