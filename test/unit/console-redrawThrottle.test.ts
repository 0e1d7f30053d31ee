/**
 * The live plots' redraw throttle (webview-ui/console/redrawThrottle.ts): one redraw per frame with
 * new samples, at most one per interval, and no frame requested while the interval runs out.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { RedrawThrottle } from '../../webview-ui/console/redrawThrottle';

let nowMs = 0;
let frameRequests = 0;
let frames: (() => void)[] = [];
const scope = {
  nextFrame: (cb: () => void) => {
    frameRequests++;
    frames.push(cb);
  },
  now: () => nowMs,
};
/** Advance the clock by one 16 ms display frame: timers due run, then the requested frames. */
function displayFrame(): void {
  nowMs += 16;
  mock.timers.tick(16);
  const due = frames;
  frames = [];
  for (const cb of due) cb();
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
  nowMs = 0;
  frameRequests = 0;
  frames = [];
});
afterEach(() => mock.timers.reset());

test('samples arriving every display frame redraw at most once per interval', () => {
  let redraws = 0;
  const throttle = new RedrawThrottle(50, scope, () => redraws++);
  for (let i = 0; i < 63; i++) {
    throttle.request();
    displayFrame();
  }
  // 1008 ms of frames: the first redraw at once, then one per 50 ms interval rounded up to a frame
  assert.ok(redraws >= 15 && redraws <= 21, `${redraws} redraws`);
});

test('the rest of an interval is waited out on a timer: no frame is requested meanwhile', () => {
  let redraws = 0;
  const throttle = new RedrawThrottle(50, scope, () => redraws++);
  throttle.request();
  displayFrame();
  assert.equal(redraws, 1);
  throttle.request();
  displayFrame(); // 16 ms after the redraw: too soon, so a timer takes over
  const requestsWhileWaiting = frameRequests;
  displayFrame();
  assert.equal(frameRequests, requestsWhileWaiting, 'no frame requests while the interval runs out');
  for (let i = 0; i < 3; i++) displayFrame();
  assert.equal(redraws, 2, 'the waiting samples are drawn once the interval is over');
});

test('nothing new, nothing drawn', () => {
  let redraws = 0;
  const throttle = new RedrawThrottle(50, scope, () => redraws++);
  throttle.request();
  for (let i = 0; i < 20; i++) displayFrame();
  assert.equal(redraws, 1);
  assert.equal(frameRequests, 1);
});
