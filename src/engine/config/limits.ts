/** Limits that keep a hostile file from freezing the editor. */
export const TEXT_LIMITS = {
  /**
   * An experiment is a few KB (a 1,000-line one is ~21 KB). The yaml package needs seconds per MiB
   * on shapes the fast path leaves to it (a 2 MiB flow list took 20-40 s on a busy 2-core machine),
   * so the limit stays about ten times the largest plausible experiment.
   */
  maxBytes: 256 * 1024,
  maxDepth: 64,
  /** Nodes reachable after alias expansion. */
  maxExpandedNodes: 200_000,
} as const;
