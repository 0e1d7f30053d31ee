export interface CliCommand {
  readonly name: string;
  /** One line: the command and its flags. */
  readonly usage: string;
  readonly summary: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}
