/** A job's context in tests: a scripted person (or the one given), progress and log lines kept. */
import type { JobContext, JobProgress } from '../../src/engine/jobs/job';
import type { Attendant } from '../../src/engine/robot/motionAuthority';
import { ScriptedPerson } from './motion';

export interface TestContext extends JobContext {
  readonly progressed: JobProgress[];
  readonly logged: string[];
}

export function jobContext(options: { person?: Attendant; signal?: AbortSignal; confirm?: boolean; userAddresses?: boolean } = {}): TestContext {
  const progressed: JobProgress[] = [];
  const logged: string[] = [];
  return {
    signal: options.signal ?? new AbortController().signal,
    progress: (p) => progressed.push(p),
    log: (line) => logged.push(line),
    attendance: { attendant: options.person ?? new ScriptedPerson() },
    confirm: async () => options.confirm ?? true,
    addressesAreUserInput: options.userAddresses ?? false,
    progressed,
    logged,
  };
}

/** A context from callbacks, as a test that watches progress or log lines writes it. */
export function contextOf(signal: AbortSignal, onProgress: (p: JobProgress) => unknown = () => undefined, onLog: (line: string) => unknown = () => undefined, person: Attendant = new ScriptedPerson()): JobContext {
  return {
    signal,
    progress: (p) => void onProgress(p),
    log: (line) => void onLog(line),
    attendance: { attendant: person },
    confirm: async () => true,
    addressesAreUserInput: false,
  };
}
