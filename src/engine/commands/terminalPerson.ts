/**
 * The person at the terminal: the CLI's questions (a pipeline's gates, and the motion authority's
 * emergency-stop confirmation, episode starts and re-arms) on standard error, answered on standard
 * input. Motion questions are asked only on a terminal and never answered by a flag: `--yes`
 * confirms gates, and with no terminal there is nobody to ask (robot/motionAuthority.ts then
 * refuses a real robot before anything moves).
 */
import { createInterface, type Interface } from 'node:readline';
import type { Attendant, MotionAttendance, MotionPrompt, RearmPrompt, StartPrompt } from '../robot/motionAuthority';

export class TerminalQuestions {
  /** Standard input is a terminal a person types on. */
  readonly isTerminal = process.stdin.isTTY === true;
  private readline: Interface | undefined;
  private closed = false;

  /** The line typed, or undefined when input ended (never a default answer). */
  ask(question: string): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const readline = this.open();
    return new Promise((resolve) => {
      const onClose = (): void => resolve(undefined);
      readline.once('close', onClose);
      readline.question(question, (answer) => {
        readline.off('close', onClose);
        resolve(answer);
      });
    });
  }

  close(): void {
    this.closed = true;
    this.readline?.close();
    this.readline = undefined;
  }

  private open(): Interface {
    if (this.readline) return this.readline;
    const readline = createInterface({ input: process.stdin, output: process.stderr, terminal: this.isTerminal });
    // Ctrl-C at a question cancels the job as it does elsewhere (readline takes it from the terminal)
    readline.on('SIGINT', () => process.emit('SIGINT'));
    readline.once('close', () => {
      this.closed = true;
      this.readline = undefined;
    });
    this.readline = readline;
    return readline;
  }
}

/**
 * Who answers motion questions for a CLI command: the person at the terminal, or nobody (with
 * `--yes`, or when standard input is not a terminal) and how to run the command attended.
 */
export function terminalAttendance(questions: TerminalQuestions, command: string, options: { yes?: boolean } = {}): MotionAttendance {
  const howToAttend = `Run \`sim2real ${command}\` on a terminal${options.yes ? ' without --yes' : ''} and answer its questions (the emergency stop, each episode's start), or run it from VS Code.`;
  if (options.yes) return { unattended: { why: '--yes confirms gates, never the motion of a real robot', howToAttend } };
  if (!questions.isTerminal) return { unattended: { why: 'standard input is not a terminal', howToAttend } };
  return { attendant: new TerminalPerson(questions) };
}

class TerminalPerson implements Attendant {
  readonly channel = 'terminal';
  constructor(private readonly questions: TerminalQuestions) {}

  async confirmEmergencyStop(prompt: MotionPrompt): Promise<boolean> {
    process.stderr.write(`\n${prompt.message}\n`);
    const answer = await this.questions.ask('  Type yes when the emergency stop is within your reach: ');
    return answer !== undefined && /^\s*yes\s*$/i.test(answer);
  }

  async startEpisodes(prompt: StartPrompt): Promise<boolean> {
    process.stderr.write(`${prompt.message}\n`);
    const answer = await this.questions.ask('  Press Enter to start (q and Enter to stop here): ');
    return answer !== undefined && /^\s*(y|yes|s|start)?\s*$/i.test(answer);
  }

  async rearm(prompt: RearmPrompt): Promise<boolean> {
    process.stderr.write(`\n${prompt.message}\n`);
    const answer = await this.questions.ask('  Re-arm the robot? [y/N] ');
    return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
  }
}
