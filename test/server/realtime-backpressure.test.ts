import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import type { RunningServer } from '../../server/start.ts';
import { RawSocket } from '../support/realtime.ts';
import { startTestServer } from '../support/server.ts';

/**
 * A client that stops reading its socket while another member of its room keeps talking (the attack: two
 * self-broadcasting sockets that never read grew the server by 400 MB in 10 s). Loopback only,
 * a bounded number of messages.
 */
describe('realtime backpressure', () => {
  const LIMIT = 8 * 1024 * 1024;
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ realtime: { maxBufferedBytes: LIMIT } });
  });
  after(() => server.close());

  it('closes a socket that does not read once it holds more than maxBufferedBytes; a reading member of the room gets every message', async () => {
    const slow = await RawSocket.open(server.url, { vsn: '1.0.0' });
    // 1.0.0 (JSON text) so the reader sees broadcasts as text frames.
    const reader = await RawSocket.open(server.url, { vsn: '1.0.0' });
    const room = `backpressure-${Date.now()}`;
    const config = { broadcast: { self: true } };
    const talker = await RawSocket.open(server.url, { vsn: '1.0.0' });
    await slow.join(room, config);
    await reader.join(room, config);
    const { topic } = await talker.join(room);
    // Stop reading: what the server sends the slow socket now piles up in its buffers.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    const payload = 'x'.repeat(200 * 1024);
    const rssBefore = process.memoryUsage().rss;

    const COUNT = 180; // 36 MB sent to each member: 4.5 times the limit, under the 100/s (2 s burst) event budget
    for (let i = 0; i < COUNT; i++) talker.push(topic, 'broadcast', { type: 'broadcast', event: 'big', payload: { i, payload } });
    const received: number[] = [];
    while (received.length < COUNT) {
      const m = await reader.message((f) => f.event === 'broadcast', 20_000);
      received.push((m.payload as { payload: { i: number } }).payload.i);
    }

    assert.deepEqual(received, Array.from({ length: COUNT }, (_, i) => i));
    const stats = (await (await fetch(`${server.url}/flock/stats`)).json()) as { slowConsumersClosed: number; limits: { maxBufferedBytes: number } };
    assert.equal(stats.slowConsumersClosed, 1);
    assert.equal(stats.limits.maxBufferedBytes, LIMIT);
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, 1006, 'destroyed, not a close handshake behind megabytes of unread frames');
    assert.ok(reader.isOpen);
    assert.ok(talker.isOpen);
    // The slow member's share was freed, not kept: the process grew by less than what was sent to it.
    assert.ok(process.memoryUsage().rss - rssBefore < 36 * 1024 * 1024 + 64 * 1024 * 1024, 'memory stays within what the reader itself received plus 64 MB');
    reader.close();
    talker.close();
  });
});
