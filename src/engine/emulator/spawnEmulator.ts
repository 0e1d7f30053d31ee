/**
 * Start `sim2real emulate` as a child process and wait for its address. The emulator must not share
 * a thread with a RobotEnv (which blocks its thread between replies), so the demo and tools that
 * evaluate on it run it as its own process, exactly as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface EmulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnEmulatorOptions {
  /** The CLI script to run (`process.argv[1]` of the running CLI). */
  readonly cliScript: string;
  readonly profile: string;
  readonly logPath?: string;
  /**
   * [default: 30000] Start-up is Node + the CLI's imports + Rapier's wasm: 7-15 s measured from
   * source (tsx) on 2 cores with a load average of 16, so 10 s was not enough.
   */
  readonly startTimeoutMs?: number;
}

export function spawnEmulatorProcess(options: SpawnEmulatorOptions): Promise<EmulatorProcess> {
  const args = [...process.execArgv, options.cliScript, 'emulate', '--profile', options.profile, '--host', '127.0.0.1', '--port', '0'];
  if (options.logPath) args.push('--log', options.logPath);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the reality emulator did not start within ${(options.startTimeoutMs ?? 30000) / 1000} s${stderr ? `: ${stderr.trim()}` : ''}`));
    }, options.startTimeoutMs ?? 30000);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the reality emulator exited (code ${code})${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
