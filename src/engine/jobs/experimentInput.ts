/** The experiment a job works on: read from its file and validated, or refused with its findings before any work. */
import { existsSync } from 'node:fs';
import type { Experiment } from '../config/experiment';
import { findingToJson, formatFinding, loadExperiment } from '../config/load';
import { JobInputError } from './job';

export function loadValidExperiment(file: string): Experiment {
  if (!existsSync(file)) throw new JobInputError(`No such experiment file: ${file}`);
  const loaded = loadExperiment(file);
  if (loaded.experiment) return loaded.experiment;
  const errors = loaded.findings.filter((f) => f.severity === 'error');
  const first = errors[0] ? ` First: ${formatFinding(file, loaded.lines, errors[0])}` : '';
  throw new JobInputError(`${file} has ${errors.length} error(s); nothing was started.${first}`, errors.map((f) => findingToJson(file, loaded.lines, f)));
}
