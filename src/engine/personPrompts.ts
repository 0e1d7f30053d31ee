/**
 * Questions for the person in VS Code, from any engine job: a `personPrompt` event goes to the
 * extension host, which shows it (gates, the emergency-stop confirmation and re-arms as modal
 * dialogs; episode starts as the safe-test console's "Start episode") and answers with a
 * `personReply` request. Cancelling the job declines whatever is open, so nothing waits on a person
 * who has gone, and an open question never counts as a yes.
 */
import type { PersonPromptClosedEvent, PersonPromptEvent } from '../messages/engine';
import type { Attendant } from './robot/motionAuthority';

export type PromptSink = (event: PersonPromptEvent | PersonPromptClosedEvent) => void;

let nextPromptId = 1;
const openPrompts = new Map<number, (accept: boolean) => void>();

/** The person's answer (personReply); false when the prompt is no longer open. */
export function replyToPrompt(promptId: number, accept: boolean): boolean {
  const resolve = openPrompts.get(promptId);
  if (!resolve) return false;
  openPrompts.delete(promptId);
  resolve(accept);
  return true;
}

/** Ask the person in VS Code; resolves with the answer, or false when the job is cancelled. */
export function askPerson(requestId: number, send: PromptSink, signal: AbortSignal, prompt: Omit<PersonPromptEvent, 'kind' | 'requestId' | 'promptId'>): Promise<boolean> {
  const promptId = nextPromptId++;
  return new Promise<boolean>((resolve) => {
    const done = (accept: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      openPrompts.delete(promptId);
      send({ kind: 'personPromptClosed', promptId });
      resolve(accept);
    };
    const onAbort = (): void => done(false);
    if (signal.aborted) return resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    openPrompts.set(promptId, done);
    send({ kind: 'personPrompt', requestId, promptId, ...prompt });
  });
}

/** The person in VS Code as the motion authority's attendant, for the job `requestId`. */
export function vscodePerson(requestId: number, send: PromptSink, signal: AbortSignal): Attendant {
  const common = (address: string, path: string): { address: string; path: string } => ({ address, path });
  return {
    channel: 'VS Code',
    confirmEmergencyStop: (prompt) => askPerson(requestId, send, signal, { prompt: 'estop', message: prompt.message, ...common(prompt.address, prompt.path) }),
    startEpisodes: (prompt) =>
      askPerson(requestId, send, signal, {
        prompt: 'episode',
        message: prompt.message,
        ...common(prompt.address, prompt.path),
        episode: prompt.first,
        count: prompt.count,
        ...(prompt.of !== undefined ? { of: prompt.of } : {}),
      }),
    rearm: (prompt) => askPerson(requestId, send, signal, { prompt: 'rearm', message: prompt.message, ...common(prompt.address, prompt.path) }),
  };
}
