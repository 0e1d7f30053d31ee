// Runs `sim2real emulate` in a child process for the robot tests (the same command code as the CLI,
// without the rest of the command table).
import { emulateCommand } from '../../src/engine/commands/emulate';

// spawned with an IPC channel: when the test process dies, the emulator does not outlive it
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));

emulateCommand.run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`emulate failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
