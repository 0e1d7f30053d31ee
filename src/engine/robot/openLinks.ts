/**
 * Every robot link this engine process has open, by its stop port: the engine's robotStop (the
 * console's button, the keybinding, the status-bar item) stops all of them, not only the console's
 * own session. A RobotEnv registers itself while it is connected (batch evaluation, the pipeline's
 * real episodes); its link worker takes the stop at once, even while the thread that owns the env
 * is blocked in a step.
 */
import type { MessagePort } from 'node:worker_threads';
import type { StopRequest } from './linkProtocol';

const stopPorts = new Set<MessagePort>();

/** Returns the function that forgets the port (and closes it). */
export function registerOpenLink(port: MessagePort): () => void {
  stopPorts.add(port);
  return () => {
    if (stopPorts.delete(port)) port.close();
  };
}

/** Post a protective stop to every open link; the number of links it went to. */
export function stopOpenLinks(message: string): number {
  for (const port of stopPorts) port.postMessage({ kind: 'stop', message } satisfies StopRequest);
  return stopPorts.size;
}
