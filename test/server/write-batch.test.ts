import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WriteBatch } from '../../server/realtime/write-batch.ts';

/** A real Node stream that records each hand-off to the layer below (one per system call on a socket). */
function recordingSocket(): { socket: Duplex; calls: string[][] } {
  const calls: string[][] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  return { socket, calls };
}

/** What `ws` does per frame: header and payload, corked around the pair. */
function sendFrame(socket: Duplex, name: string): void {
  socket.cork();
  socket.write(`h:${name}`);
  socket.write(`p:${name}`);
  socket.uncork();
}

test("one turn's frames to a socket go down in one write, in order, and the next turn starts a new one", async () => {
  const { socket, calls } = recordingSocket();
  const batch = new WriteBatch(socket);
  for (const name of ['a', 'b', 'c']) {
    batch.hold();
    sendFrame(socket, name);
  }
  assert.deepEqual(calls, [], 'nothing is written while the turn lasts');
  await nextTurn();
  assert.deepEqual(calls, [['h:a', 'p:a', 'h:b', 'p:b', 'h:c', 'p:c']]);

  batch.hold();
  sendFrame(socket, 'd');
  await nextTurn();
  assert.deepEqual(calls.slice(1), [['h:d', 'p:d']]);
});

test('without the batch the same frames go down one by one (what the batch saves)', async () => {
  const { socket, calls } = recordingSocket();
  for (const name of ['a', 'b', 'c']) sendFrame(socket, name);
  await nextTurn();
  assert.ok(calls.length >= 3, `${calls.length} writes`);
});

test('ending a socket mid-turn flushes what the turn held, and a destroyed socket is left alone', async () => {
  const { socket, calls } = recordingSocket();
  const batch = new WriteBatch(socket);
  batch.hold();
  sendFrame(socket, 'close');
  socket.end();
  await nextTurn();
  assert.deepEqual(calls.flat(), ['h:close', 'p:close']);

  const gone = recordingSocket();
  gone.socket.destroy();
  new WriteBatch(gone.socket).hold();
  assert.equal(gone.socket.writableCorked, 0);
  await nextTurn();
});
