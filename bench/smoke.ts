/**
 * Smoke mode of the benches: SIM2REAL_BENCH_SMOKE=1 (or `npm run bench -- --smoke`, or
 * `npm run bench:smoke`). Each bench then runs the same code paths as in full mode (same imports,
 * same generated inputs, same checks) with a few iterations and small sizes, so it finishes in
 * seconds and a broken bench fails CI; its figures mean nothing and nothing asserts them.
 * Full mode (the variable unset) is unchanged.
 */
export const SMOKE = process.env.SIM2REAL_BENCH_SMOKE === '1';

/** `full` normally, `small` in smoke mode. */
export function smoke<T>(full: T, small: T): T {
  return SMOKE ? small : full;
}

/** In smoke mode, one line saying so (the figures that follow are not measurements); nothing otherwise. */
export function announceSmoke(what: string): void {
  if (SMOKE) process.stdout.write(`[smoke] ${what}; figures below are not measurements\n`);
}
