/**
 * Predictable timing for a process that runs Rapier in real time (the reality emulator).
 *
 * Measured here (Node 20, 2 busy cores): after a few hundred Rapier steps, V8 recompiles the 15 MB
 * wasm module with its optimizing tier in the background, and while it does, the event loop of the
 * thread that uses it does not wake: the first TCP connection to the emulator waited 5-10 s, timers
 * too. With `--liftoff-only` (baseline compiler only) the stall disappears, and stepping was no
 * slower in our measurement (3,000 steps: 656 ms vs 900 ms). A robot's controller must answer in
 * milliseconds, not at the mercy of a compiler, so the emulator process opts out of tier-up.
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
