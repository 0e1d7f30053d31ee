/**
 * Predictable timing for a process that runs Rapier in real time (the reality emulator).
 *
 * V8 recompiles Rapier's wasm with its optimizing tier in the background after a few hundred steps,
 * and meanwhile the event loop of the thread that uses it does not wake: connections and timers wait
 * for seconds. A robot's controller must answer in milliseconds, not at the mercy of a compiler, so
 * the emulator keeps V8's baseline compiler only (`--liftoff-only`), which steps no slower
 * (docs/benchmarks.md, "The emulator's wasm").
 *
 * Process-wide and only effective before Rapier's wasm is compiled: call it first.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

export function preferPredictableWasm(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--liftoff-only');
}
