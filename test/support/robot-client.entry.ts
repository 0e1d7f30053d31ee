// A child-process "engine" for the watchdog tests: connects to the emulator at argv[2], starts an
// episode and commands the arm every 20 ms until it is killed. Prints `commanding` once moving.
import { RobotAddressPolicy } from '../../src/engine/rosbridge/addressPolicy';
import { DEFAULT_ROBOT_NAMES } from '../../src/engine/rosbridge/names';
import { RobotLink } from '../../src/engine/robot/robotLink';
import { TEST_SAFETY } from './robot-helpers';
import { linkMotion, permitNext, testMotion } from './motion';

async function main(): Promise<void> {
  const url = process.argv[2]!;
  const motion = testMotion(url);
  const link = await RobotLink.connect({
    url,
    policy: RobotAddressPolicy.fromConfigured([url]),
    names: DEFAULT_ROBOT_NAMES,
    jointNames: ['shoulder', 'elbow', 'wrist'],
    safety: TEST_SAFETY,
    controlPeriodS: 0.02,
    trackObject: false,
    reconnect: { enabled: false },
    log: () => undefined,
    motion: linkMotion(motion),
  });
  const episode = await link.beginEpisode(await permitNext(link, motion), 10000);
  const q = [...link.joints!.position];
  let k = 0;
  setInterval(() => {
    q[0] = -1.2 + 0.2 * Math.sin(k++ / 25);
    link.sendCommand(q, episode);
    if (k === 5) process.stdout.write('commanding\n');
  }, 20);
}
main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
