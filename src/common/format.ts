/** Numbers for people, the same everywhere: the CLI, reports, the tree, the webviews. Pure. */

/** A fraction as a percentage: `pct(0.873)` is "87.3%", `pct(0.873, 0)` is "87%". */
export function pct(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** A percentage, or an en dash where there is no value. */
export function pctOrDash(fraction: number | undefined, digits = 1): string {
  return fraction === undefined ? '–' : pct(fraction, digits);
}
