import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFloat64MultiArray, checkJointState, checkPoseStamped, checkStatus, checkTriggerResponse } from '../../src/engine/rosbridge/messages';
import { encodeFrame, MAX_FRAME_BYTES, parseFrame } from '../../src/engine/rosbridge/protocol';
import { normalizeRobotUrl, RobotAddressPolicy, isLoopbackHost } from '../../src/engine/rosbridge/addressPolicy';

describe('rosbridge v2 frames', () => {
  it('accepts the ops both sides use, with rosbridge field names', () => {
    const frames = [
      { op: 'advertise', id: 'a1', topic: '/cmd', type: 'std_msgs/msg/Float64MultiArray' },
      { op: 'unadvertise', topic: '/cmd' },
      { op: 'publish', topic: '/cmd', msg: { data: [1, 2, 3] } },
      { op: 'subscribe', id: 's1', topic: '/joint_states', type: 'sensor_msgs/msg/JointState', throttle_rate: 10, queue_length: 1 },
      { op: 'unsubscribe', id: 's1', topic: '/joint_states' },
      { op: 'call_service', id: 'c1', service: '/stop', args: {}, timeout: 1 },
      { op: 'call_service', service: '/stop', args: [] },
      { op: 'service_response', id: 'c1', service: '/stop', values: { success: true, message: '' }, result: true },
      { op: 'advertise_service', service: '/x', type: 'std_srvs/srv/Trigger' },
      { op: 'unadvertise_service', service: '/x' },
      { op: 'status', level: 'error', msg: 'bad' },
    ];
    for (const frame of frames) {
      const parsed = parseFrame(JSON.stringify(frame));
      assert.ok(parsed.ok, `${frame.op}: ${!parsed.ok && parsed.error}`);
      assert.deepEqual(parsed.op, frame);
      assert.equal(encodeFrame(parsed.op), JSON.stringify(frame));
    }
  });

  it('rejects garbage with a reason, never throwing', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[1,2]', /not a JSON object/],
      ['{"topic":"/x"}', /no string 'op'/],
      ['{"op":"fly"}', /unknown op 'fly'/],
      ['{"op":"publish","topic":"/x"}', /publish: 'msg' must be an object/],
      ['{"op":"publish","topic":"","msg":{}}', /'topic' must be a non-empty string/],
      ['{"op":"service_response","service":"/s","values":{}}', /'result' must be a boolean/],
      ['{"op":"subscribe","topic":"/x","throttle_rate":"fast"}', /'throttle_rate' must be a finite number/],
      ['{"op":"call_service","service":"/s","args":"go"}', /'args' must be an object or a list/],
      ['{"op":"status","level":"loud","msg":"x"}', /'level' must be/],
      ['{"op":"publish","id":7,"topic":"/x","msg":{}}', /'id' must be a string/],
    ];
    for (const [text, error] of cases) {
      const parsed = parseFrame(text);
      assert.equal(parsed.ok, false, text);
      assert.match((parsed as { error: string }).error, error, text);
    }
    assert.equal(parseFrame('x'.repeat(MAX_FRAME_BYTES + 1)).ok, false);
  });
});

describe('ROS message checks', () => {
  const header = { stamp: { sec: 1, nanosec: 2 }, frame_id: 'base_link' };
  it('JointState: names and equally long arrays, finite numbers', () => {
    assert.ok(checkJointState({ header, name: ['a', 'b'], position: [0, 1], velocity: [], effort: [] }).ok);
    assert.equal(checkJointState({ header, name: ['a', 'b'], position: [0], velocity: [], effort: [] }).ok, false);
    assert.equal(checkJointState({ header, name: ['a'], position: [null], velocity: [], effort: [] }).ok, false);
  });
  it('PoseStamped: position and orientation numbers', () => {
    assert.ok(checkPoseStamped({ header, pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }).ok);
    assert.equal(checkPoseStamped({ header, pose: { position: { x: 0, y: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }).ok, false);
  });
  it('Float64MultiArray: exact length, no NaN (null in JSON)', () => {
    assert.ok(checkFloat64MultiArray({ data: [1, 2, 3] }, 3).ok);
    assert.equal(checkFloat64MultiArray({ data: [1, 2] }, 3).ok, false);
    assert.equal(checkFloat64MultiArray(JSON.parse(JSON.stringify({ data: [1, NaN, 3] })), 3).ok, false);
  });
  it('Trigger responses and status', () => {
    assert.deepEqual(checkTriggerResponse({ success: true }), { ok: true, value: { success: true, message: '' } });
    assert.equal(checkTriggerResponse({ message: 'x' }).ok, false);
    assert.ok(checkStatus({ data: JSON.stringify({ state: 'halted', reason: 'watchdog', episode: 2 }) }).ok);
    assert.equal(checkStatus({ data: JSON.stringify({ state: 'dancing', episode: 2 }) }).ok, false);
  });
});

describe('robot address allow-list', () => {
  it('allows exactly the configured addresses, normalized', () => {
    const policy = RobotAddressPolicy.fromConfigured(['ws://127.0.0.1:9090']);
    assert.equal(policy.check('ws://127.0.0.1:9090/'), 'ws://127.0.0.1:9090');
    assert.throws(() => policy.check('ws://127.0.0.1:9091'), /not a configured robot address/);
    assert.throws(() => policy.check('ws://10.0.0.5:9090'), /not a configured robot address/);
    assert.throws(() => policy.check('http://127.0.0.1:9090'), /not a WebSocket address/);
    assert.throws(() => RobotAddressPolicy.fromConfigured([]), /no robot address configured/);
    assert.equal(normalizeRobotUrl('ws://localhost'), 'ws://localhost:80');
  });
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '192.168.1.2', 'example.org', '::']) assert.equal(isLoopbackHost(h), false, h);
  });
});
