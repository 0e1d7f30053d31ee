/**
 * RobotEnv: the Env contract over the link, against `sim2real emulate` in a child process (the env
 * blocks this thread between replies, so the emulator cannot share it).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Experiment } from '../../src/engine/config/experiment';
import { configuredRobotAddresses, connectRobotEnv } from '../../src/engine/robot/robotEnv';
import { stopOpenLinks } from '../../src/engine/robot/openLinks';
import { spawnEmulator, tempDir, waitUntil } from '../support/robot-helpers';
import { testMotion } from '../support/motion';

const EXPERIMENT = { name: 'robot-env-test', task: 'reach', seed: 3 } as unknown as Experiment;

function profileFile(text: string): string {
  const path = join(tempDir('profile'), 'profile.yaml');
  writeFileSync(path, text);
  return path;
}

describe('RobotEnv over the emulator', () => {
  it('runs episodes with the task\'s observation, reward and success, paced at the control rate', async () => {
    const dir = tempDir('env');
    const emu = await spawnEmulator(profileFile('task: reach\nseed: 5\neffects:\n  latencyMs: 5\n'), join(dir, 'emu.jsonl'));
    try {
      const env = await connectRobotEnv(EXPERIMENT, emu.url, { allowedAddresses: [emu.url], motion: testMotion(emu.url) });
      try {
        assert.equal(env.observationSize, 10);
        assert.equal(env.actionSize, 3);
        await env.permitEpisode(11);
        env.reset(11);
        const first = Array.from(env.observation);
        assert.ok(first.every(Number.isFinite));
        // the start pose of the tasks: folded arm near (-1.2, 2.2, 1.2) rad
        assert.ok(Math.abs(first[0]! + 1.2) < 0.15 && Math.abs(first[1]! - 2.2) < 0.15, first.join(','));
        const t0 = performance.now();
        let result = env.step([1, 0, 0]);
        let steps = 1;
        while (!result.done && steps < 40) {
          result = env.step([1, 0, 0]);
          steps++;
        }
        const elapsed = performance.now() - t0;
        const msPerStep = elapsed / steps;
        // never faster than the control period (the first step's deadline runs from the reset); the
        // upper bound only catches a gross stall (2 shared cores at load 15-27 gave 20-85 ms)
        assert.ok(elapsed >= (steps - 1) * 20 - 1, `${steps} steps in ${elapsed} ms: faster than the 20 ms control period`);
        assert.ok(msPerStep < 200, `${msPerStep} ms per step`);
        assert.equal(result.termination, 'none');
        // reward is minus the tip-to-target distance of what the robot reports
        const o = env.observation;
        assert.ok(Math.abs(result.reward + Math.hypot(o[6]! - o[8]!, o[7]! - o[9]!)) < 1e-12);
        // the shoulder moved in the commanded direction: speed x0.5 in the first episode -> 0.02 rad per step
        assert.ok(o[0]! - first[0]! > 0.3, `shoulder moved ${o[0]! - first[0]!} rad in ${steps} steps`);
        assert.ok(o[0]! - first[0]! < 40 * 0.021 + 0.05, 'speed-limited to x0.5 in the first episode');
      } finally {
        env.dispose();
      }
    } finally {
      await emu.stop();
    }
    const applied = emu.events().filter((e) => e.event === 'command_applied');
    assert.ok(applied.length >= 35, `${applied.length} commands applied`);
  });

  it('a stop aborts the episode, and nothing moves until re-armed', async () => {
    const dir = tempDir('env');
    const emu = await spawnEmulator(profileFile('task: reach\n'), join(dir, 'emu.jsonl'));
    try {
      const env = await connectRobotEnv(EXPERIMENT, emu.url, { allowedAddresses: [emu.url], eventLogPath: join(dir, 'engine.jsonl'), motion: testMotion(emu.url) });
      try {
        await env.permitEpisode(1);
        env.reset(1);
        env.step([0.5, 0, 0]);
        env.stop('test: the user pressed stop');
        let r = env.step([0.5, 0, 0]);
        for (let k = 0; k < 5 && !r.done; k++) r = env.step([0.5, 0, 0]);
        assert.equal(r.termination, 'aborted');
        assert.match(env.lastAbortReason ?? '', /stop/);
        // the authority refuses the next episode, and a reset without its permit moves nothing
        await assert.rejects(env.permitEpisode(2), /re-arms it/);
        env.reset(2);
        assert.equal(env.step([0, 0, 0]).termination, 'aborted', 'no episode before re-arming');
        const before = emu.events().filter((e) => e.event === 'command').length;
        await env.rearm('test: the stop above');
        await env.permitEpisode(3);
        env.reset(3);
        const next = env.step([0.5, 0, 0]);
        assert.equal(next.termination, 'none');
        // the emulator is another process: give it a moment to log what it received
        await waitUntil(() => emu.events().filter((e) => e.event === 'command').length > before, 5000, 'a command after re-arming');
      } finally {
        env.dispose();
      }
    } finally {
      await emu.stop();
    }
  });

  it('the engine-wide stop (openLinks) reaches a connected env from another turn of the event loop, and forgets it when disposed', async () => {
    const dir = tempDir('env');
    const emu = await spawnEmulator(profileFile('task: reach\n'), join(dir, 'emu.jsonl'));
    try {
      const env = await connectRobotEnv(EXPERIMENT, emu.url, { allowedAddresses: [emu.url], motion: testMotion(emu.url) });
      try {
        await env.permitEpisode(1);
        env.reset(1);
        env.step([0.5, 0, 0]);
        // what the engine's robotStop handler does when the console's button is pressed
        assert.equal(stopOpenLinks('test: stop from VS Code'), 1);
        await waitUntil(() => emu.events().some((e) => e.event === 'stop'), 3000, 'the emulator to receive the stop');
        let r = env.step([0.5, 0, 0]);
        for (let k = 0; k < 5 && !r.done; k++) r = env.step([0.5, 0, 0]);
        assert.equal(r.termination, 'aborted');
      } finally {
        env.dispose();
      }
      assert.equal(stopOpenLinks('nobody left'), 0);
    } finally {
      await emu.stop();
    }
  });

  it('a lost link aborts the episode; the robot halts by itself', async () => {
    const dir = tempDir('env');
    const emu = await spawnEmulator(profileFile('task: reach\n'), join(dir, 'emu.jsonl'));
    const env = await connectRobotEnv(EXPERIMENT, emu.url, { allowedAddresses: [emu.url], motion: testMotion(emu.url) });
    try {
      await env.permitEpisode(1);
      env.reset(1);
      env.step([0.2, 0, 0]);
      emu.child.kill('SIGKILL');
      let r = env.step([0.2, 0, 0]);
      for (let k = 0; k < 20 && !r.done; k++) r = env.step([0.2, 0, 0]);
      assert.equal(r.termination, 'aborted');
      assert.match(env.lastAbortReason ?? '', /link lost mid-episode|link to ws:\/\/127\.0\.0\.1:\d+ lost|robot halted/);
    } finally {
      env.dispose();
      await emu.stop();
    }
  });

  it('an unreachable or unconfigured address fails with a clear error within 3 s', async () => {
    const t0 = performance.now();
    await assert.rejects(connectRobotEnv(EXPERIMENT, 'ws://127.0.0.1:1', { allowedAddresses: ['ws://127.0.0.1:1'], motion: testMotion('ws://127.0.0.1:1') }), /cannot reach robot at ws:\/\/127\.0\.0\.1:1: connection refused: nothing listens there/);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 3000, `${elapsed} ms`);
    await assert.rejects(connectRobotEnv(EXPERIMENT, 'ws://127.0.0.1:2', { allowedAddresses: ['ws://127.0.0.1:1'], motion: testMotion('ws://127.0.0.1:2') }), /not a configured robot address/);
    assert.deepEqual(configuredRobotAddresses({ ...EXPERIMENT, robot: { address: 'ws://127.0.0.1:9090' } } as unknown as Experiment, 'ws://127.0.0.1:9191'), ['ws://127.0.0.1:9090', 'ws://127.0.0.1:9191']);
  });
});

describe('RobotEnv and a broken policy', () => {
  it('a NaN or infinite action is a protective stop, not a clipped command', async () => {
    const dir = tempDir('env');
    const emu = await spawnEmulator(profileFile('task: reach\n'), join(dir, 'emu.jsonl'));
    try {
      const env = await connectRobotEnv(EXPERIMENT, emu.url, { allowedAddresses: [emu.url], motion: testMotion(emu.url) });
      try {
        for (const bad of [NaN, Infinity]) {
          await env.permitEpisode(1);
          env.reset(1);
          assert.equal(env.step([0.1, 0, 0]).termination, 'none', env.lastAbortReason);
          const r = env.step([0, bad, 0]);
          assert.equal(r.termination, 'aborted');
          assert.match(env.lastAbortReason ?? '', /non_finite: elbow command is NaN/);
          await env.rearm('test: a broken policy');
        }
      } finally {
        env.dispose();
      }
    } finally {
      await emu.stop();
    }
    // the robot saw the stops, and no non-finite command ever reached it
    const events = emu.events();
    assert.equal(events.filter((e) => e.event === 'stop').length, 2);
    assert.ok(events.filter((e) => e.event === 'command').every((e) => (e.data as number[]).every(Number.isFinite)));
  });
});
