// The seed-stream registry: within one parent seed no two uses may share a stream number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEED_STREAMS } from '../../src/engine/util/seedStreams';

test('every stream number is used once within its parent seed', () => {
  for (const [parent, streams] of Object.entries(SEED_STREAMS)) {
    const byNumber = new Map<number, string>();
    for (const [name, stream] of Object.entries(streams)) {
      const other = byNumber.get(stream);
      assert.equal(other, undefined, `${parent}.${name} and ${parent}.${other} share stream ${stream}`);
      byNumber.set(stream, name);
    }
  }
});

test('stream numbers are integers, and iteration-keyed streams stay off training iterations', () => {
  for (const streams of Object.values(SEED_STREAMS)) for (const stream of Object.values(streams)) assert.ok(Number.isInteger(stream));
  // run streams sit under iteration -1, so they must not be negative themselves (deriveSeed's index)
  for (const stream of Object.values(SEED_STREAMS.run)) assert.ok(stream >= 0);
});
