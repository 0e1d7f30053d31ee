/**
 * The `sim2real` command line: the same engine code the extension drives, for scripts and CI.
 * Each command lives in its own module under commands/; this file only dispatches.
 */
import { COMMANDS } from './commands';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsage();
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`sim2real: unknown command '${name}'.\n`);
    printUsage();
    return 2;
  }
  return command.run(rest);
}

function printUsage(): void {
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(70)} ${c.summary}`);
  process.stdout.write(`usage: sim2real <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sim2real: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
