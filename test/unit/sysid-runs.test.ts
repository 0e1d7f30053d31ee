/**
 * System identification results on disk and the engine request that writes them: folder names,
 * newest-first listing, files that are not results (reported, never read as numbers), and the
 * protocol's check of `sysid` requests.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseHostMessage } from '../../src/messages/engine';
import { listSysidRuns, newestSysidRun, newSysidRunId, readSysidResult, sysidResultProblem } from '../../src/engine/sysid/sysidRuns';
import type { SysidResult } from '../../src/engine/sysid/types';

function result(createdAt: string, value = 0.1): SysidResult {
  return {
    version: 1,
    experimentFile: '/x/push.s2r.yaml',
    experiment: 'push-dr',
    task: 'push',
    source: { kind: 'log', file: '/x/run.csv', format: 'csv' },
    createdAt,
    friction: [{ joint: 'shoulder', viscousNmsPerRad: { value, stdError: 0.01 }, coulombNm: { value: 0.2, stdError: 0.01 }, points: [], residualsNm: [], rmsResidualNm: 0, iterations: 3 }],
    inertia: [],
    identified: [{ parameter: 'joint_damping', target: 'shoulder', value, stdError: 0.01, unit: 'N·m·s/rad' }],
    warnings: [],
  };
}

test('run ids sort by time and read as times', () => {
  assert.equal(newSysidRunId(new Date('2026-11-25T15:04:05.678Z')), 'sysid-20261125-150405');
});

test('listing: newest first, training runs and other folders ignored, unreadable results reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysid-runs-'));
  try {
    const write = (name: string, content: string) => {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, 'sysid.json'), content);
    };
    write('sysid-20261125-100000', JSON.stringify(result('2026-11-25T10:00:00Z', 0.1)));
    write('sysid-20261125-120000', JSON.stringify(result('2026-11-25T12:00:00Z', 0.2)));
    write('sysid-20261125-130000', '{"version": 1, "identified": [{"parameter": "joint_damping", "value": null}]');
    write('sysid-20261125-140000', JSON.stringify({ ...result('2026-11-25T14:00:00Z'), identified: [{ parameter: 'joint_damping', value: 'NaN', stdError: 0 }] }));
    mkdirSync(join(dir, '20261125-150000-s7'));
    writeFileSync(join(dir, '20261125-150000-s7', 'run.json'), '{}');
    const runs = listSysidRuns(dir);
    assert.deepEqual(runs.map((r) => r.runId).slice(2), ['sysid-20261125-120000', 'sysid-20261125-100000']);
    const broken = runs.filter((r) => r.error);
    assert.equal(broken.length, 2);
    assert.match(broken.map((r) => r.error).join('\n'), /JSON/);
    assert.match(broken.map((r) => r.error).join('\n'), /identified\[0\] is not a parameter with a finite value/);
    assert.equal(newestSysidRun(dir)?.runId, 'sysid-20261125-120000', 'the newest readable one');
    assert.equal(newestSysidRun(dir)?.result?.identified[0]?.value, 0.2);
    assert.deepEqual(listSysidRuns(join(dir, 'missing')), []);
    assert.match(readSysidResult(join(dir, 'nope.json')).error ?? '', /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('result check: versions, finite numbers, the fits', () => {
  assert.equal(sysidResultProblem(result('2026-11-25T10:00:00Z')), undefined);
  assert.match(sysidResultProblem({ ...result('x'), version: 2 }) ?? '', /unknown version 2/);
  assert.match(sysidResultProblem({ ...result('x'), friction: [{ joint: 'shoulder' }] }) ?? '', /friction\[0\]/);
  assert.match(sysidResultProblem({ ...result('x'), delay: { meanMs: 'fast' } }) ?? '', /delay/);
  assert.match(sysidResultProblem([]) ?? '', /not a JSON object/);
  const sensors = {
    durationS: 3,
    jointStates: 300,
    joints: [{ joint: 'wrist', positionNoiseRad: { value: 0.002, stdError: 0.0001 }, velocityNoiseRadPerS: { value: 0.02, stdError: 0.001 } }],
    object: { object: 'puck', positionNoiseM: { value: 0.003, stdError: 0.0002 }, trackingRateHz: { value: 30, stdError: 0.1 }, poses: 90 },
  };
  assert.equal(sysidResultProblem({ ...result('x'), sensors }), undefined);
  assert.match(sysidResultProblem({ ...result('x'), sensors: { ...sensors, joints: [{ joint: 'wrist', positionNoiseRad: { value: null, stdError: 0 } }] } }) ?? '', /sensors/);
  assert.match(sysidResultProblem({ ...result('x'), sensors: { ...sensors, object: { ...sensors.object, trackingRateHz: 30 } } }) ?? '', /sensors/);
});

test('protocol: a sysid request names the experiment, the runs folder and a robot or a .csv/.mcap log', () => {
  const request = (params: unknown) => parseHostMessage({ kind: 'request', id: 1, method: 'sysid', params });
  assert.ok(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'robot' } }));
  assert.ok(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'robot', address: 'ws://127.0.0.1:9090' } }));
  assert.ok(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'log', file: '/logs/run.MCAP' } }));
  assert.ok(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'robot', sensorsOnly: true } }));
  assert.equal(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'robot', sensorsOnly: 'yes' } }), undefined);
  assert.equal(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'log', file: '/logs/run.bag' } }), undefined);
  assert.equal(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'robot', address: 9090 } }), undefined);
  assert.equal(request({ file: '/x.s2r.yaml', source: { kind: 'robot' } }), undefined);
  assert.equal(request({ file: '/x.s2r.yaml', runsDir: '/runs', source: { kind: 'camera' } }), undefined);
});
