/**
 * A CLI run on a real pseudo-terminal (util-linux `script`), answered by a test the way a person at
 * the terminal answers: each question is answered once, when it appears. The CLI sees a terminal
 * (process.stdin.isTTY), which is what its motion questions require.
 */
import { spawn } from 'node:child_process';

export interface Answer {
  /** The question, as the CLI prints it. */
  readonly prompt: RegExp;
  /** What the person types; Enter is added. */
  readonly reply: string;
}

export interface TerminalRun {
  readonly status: number | null;
  /** Everything the terminal showed (stdout and stderr together, with the echo of the answers). */
  readonly output: string;
  /** The questions in the order they were answered. */
  readonly answered: string[];
}

/** Run `command args` on a terminal in `cwd`, answering as `answers` say; resolves when it exits. */
export function runOnTerminal(command: string, args: readonly string[], answers: readonly Answer[], options: { cwd: string; timeoutMs?: number }): Promise<TerminalRun> {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', quoted, '/dev/null'], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, COLUMNS: '400' } });
  let output = '';
  let cursor = 0;
  const answered: string[] = [];
  const scan = (): void => {
    for (;;) {
      // the earliest question after what was already answered
      let best: { index: number; end: number; answer: Answer } | undefined;
      for (const answer of answers) {
        const re = new RegExp(answer.prompt.source, answer.prompt.flags.replace('g', '') + 'g');
        re.lastIndex = cursor;
        const m = re.exec(output);
        if (m && (!best || m.index < best.index)) best = { index: m.index, end: m.index + m[0].length, answer };
      }
      if (!best) return;
      cursor = best.end;
      answered.push(best.answer.prompt.source);
      child.stdin.write(`${best.answer.reply}\r`);
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    scan();
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, output, answered });
    });
  });
}

/** The questions of the CLI's motion authority and gates, answered yes. */
export const PERSON_SAYS_YES: readonly Answer[] = [
  { prompt: /Type yes when the emergency stop is within your reach: /, reply: 'yes' },
  { prompt: /Press Enter to start \(q and Enter to stop here\): /, reply: '' },
  { prompt: /Re-arm the robot\? \[y\/N\] /, reply: 'y' },
  { prompt: /continue\? \[y\/N\] /, reply: 'y' },
];

/** The last JSON object printed on its own line. */
export function lastJson<T>(output: string): T {
  const lines = output.split(/\r?\n/).filter((l) => l.trim().startsWith('{') && l.trim().endsWith('}'));
  if (lines.length === 0) throw new Error(`no JSON in the output:\n${output}`);
  return JSON.parse(lines.at(-1)!.trim()) as T;
}
