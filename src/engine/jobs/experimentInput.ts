/** The experiment a job works on: read from its file and validated, or refused with its findings before any work. */
import { existsSync } from 'node:fs';
import type { Experiment } from '../config/experiment';
import { findingToJson, formatFinding, loadExperiment } from '../config/load';
import { requireBuiltInArm } from '../config/robotModel';
import { JobInputError } from './job';

/**
 * `builtInArmOnly` names what the job does, for the jobs that still run the built-in three-link arm
 * only: an experiment naming a URDF robot is refused before any work, with what runs instead.
 */
export function loadValidExperiment(file: string, options: { readonly builtInArmOnly?: string } = {}): Experiment {
  if (!existsSync(file)) throw new JobInputError(`No such experiment file: ${file}`);
  const loaded = loadExperiment(file);
  if (loaded.experiment) {
    if (options.builtInArmOnly) {
      try {
        requireBuiltInArm(loaded.experiment, options.builtInArmOnly);
      } catch (error) {
        throw new JobInputError((error as Error).message);
      }
    }
    return loaded.experiment;
  }
  const errors = loaded.findings.filter((f) => f.severity === 'error');
  const first = errors[0] ? ` First: ${formatFinding(file, loaded.lines, errors[0])}` : '';
  throw new JobInputError(`${file} has ${errors.length} error(s); nothing was started.${first}`, errors.map((f) => findingToJson(file, loaded.lines, f)));
}
