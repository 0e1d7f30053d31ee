/**
 * Every robot link this thread can stop: the engine's robotStop (the console's button, the Stop
 * Robot command, the status-bar item) stops all of them, whatever path opened them. A RobotLink on
 * this thread registers itself while connected (system identification, perception's camera
 * resets); a link owned by a worker registers the worker's stop port (a RobotEnv's link worker in a
 * batch evaluation or a pipeline stage, a perception job's worker), which takes the stop at once,
 * even while the thread that owns the job is blocked in a step.
 */
import type { MessagePort } from 'node:worker_threads';
import type { StopRequest } from './linkProtocol';

type Stopper = (message: string) => void;

const stoppers = new Set<Stopper>();
const listeners = new Set<(open: number) => void>();

function changed(): void {
  for (const listener of listeners) listener(stoppers.size);
}

/** Register a link by the function that stops it; returns the function that forgets it. */
export function registerOpenLink(stop: Stopper): () => void {
  // a function may be registered twice (two links, one handler): each registration is its own entry
  const entry: Stopper = (message) => stop(message);
  stoppers.add(entry);
  changed();
  return () => {
    if (stoppers.delete(entry)) changed();
  };
}

/** Register a worker's stop port; forgetting it closes the port. */
export function registerOpenLinkPort(port: MessagePort): () => void {
  const forget = registerOpenLink((message) => port.postMessage({ kind: 'stop', message } satisfies StopRequest));
  return () => {
    forget();
    port.close();
  };
}

/** Send a protective stop to every open link; the number of links it went to. */
export function stopOpenLinks(message: string): number {
  for (const stop of stoppers) stop(message);
  return stoppers.size;
}

export function openLinkCount(): number {
  return stoppers.size;
}

/** Called with the number of open links whenever it changes; returns the unsubscribe. */
export function onOpenLinksChange(listener: (open: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
