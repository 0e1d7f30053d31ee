/**
 * Collision groups of the table scenes. Only the finger touches objects: links pass over the puck,
 * so the arm cannot pin it between two links, and the finger never rubs on the table.
 */
export const COLLISION = {
  none: 0,
  link: 1 << 0,
  finger: 1 << 1,
  puck: 1 << 2,
  table: 1 << 3,
  floor: 1 << 4,
} as const;

/** Rapier packs (membership << 16) | filter. */
export function groups(membership: number, filter: number): number {
  return ((membership & 0xffff) << 16) | (filter & 0xffff);
}
