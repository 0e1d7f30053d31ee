/** Limits that keep a hostile file from freezing the editor. */
export const TEXT_LIMITS = {
  /** An experiment is a few KB; 2 MiB is far beyond any real one. */
  maxBytes: 2 * 1024 * 1024,
  maxDepth: 64,
  /** Nodes reachable after alias expansion. */
  maxExpandedNodes: 200_000,
} as const;
