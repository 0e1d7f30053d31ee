/** What jobs on an existing run folder need from it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JobInputError } from './job';

/** The run's exported policy, or a refusal that says how to get one. */
export function runPolicy(runDir: string): string {
  const policy = join(runDir, 'policy.onnx');
  if (!existsSync(policy)) throw new JobInputError(`${runDir} has no policy.onnx yet: train it to the end (or resume it) first.`);
  return policy;
}
