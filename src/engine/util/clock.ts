/**
 * The monotonic clock of robot-link logs: CLOCK_MONOTONIC in ms (process.hrtime), which on one machine
 * is the same clock in every process. So the engine's "stop sent" and the emulator's "stop received"
 * can be subtracted across processes, and wall-clock jumps (NTP) never reorder events.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
