/**
 * The Rapier module, initialised once per thread. Creating a World before `init()` throws a
 * cryptic TypeError deep in the bindings, so every scene builder goes through `rapier()`, which
 * says what is wrong instead.
 */
import RAPIER from '@dimforge/rapier3d-compat';

export type Rapier = typeof RAPIER;

let ready: Promise<Rapier> | undefined;
let module: Rapier | undefined;

/** Load the Rapier wasm (60-95 ms, once per thread); later calls return the same promise. */
export function initRapier(): Promise<Rapier> {
  if (!ready) {
    ready = RAPIER.init().then(() => {
      module = RAPIER;
      return RAPIER;
    });
  }
  return ready;
}

/** The initialised module; throws when `initRapier()` has not completed in this thread. */
export function rapier(): Rapier {
  if (!module) throw new Error('Rapier is not initialised in this thread: await initRapier() first');
  return module;
}
