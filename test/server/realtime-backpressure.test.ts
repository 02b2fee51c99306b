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

/**
 * A client that keeps sending (heartbeats, broadcasts) but stopped reading: before, each frame it
 * sent restarted the idle timer, so it lived on until it held `maxBufferedBytes`. Now only what
 * shows it reads counts: a heartbeat reply written out, or a frame sent while nothing waits for it.
 */
describe('realtime idle timer counts reads', () => {
  const IDLE_MS = 1500;
  let server: RunningServer;
  before(async () => {
    // A buffer limit far above what the test sends, so only the idle timer can close the socket.
    server = await startTestServer({ realtime: { idleTimeoutMs: IDLE_MS, maxBufferedBytes: 512 * 1024 * 1024 } });
  });
  after(() => server.close());

  const stats = async (): Promise<{ idleClosed: number; slowConsumersClosed: number }> =>
    (await (await fetch(`${server.url}/flock/stats`)).json()) as { idleClosed: number; slowConsumersClosed: number };

  it('closes a socket that heartbeats but never reads; a reading member heartbeating alike stays open', async () => {
    const slow = await RawSocket.open(server.url, { vsn: '1.0.0' });
    const reader = await RawSocket.open(server.url, { vsn: '1.0.0' });
    const room = `idle-reads-${Date.now()}`;
    const { topic } = await slow.join(room, { broadcast: { self: true } });
    await reader.join(room);
    const tcp = (slow.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    // 30 MB back to itself (self: true), within the 100/s event budget's 2 s burst: more than
    // loopback's kernel buffers take, so the rest waits unread in the server.
    const payload = 'x'.repeat(200 * 1024);
    const COUNT = 150;
    for (let i = 0; i < COUNT; i++) slow.push(topic, 'broadcast', { type: 'broadcast', event: 'big', payload: { i, payload } });
    let readerGot = 0;
    while (readerGot < COUNT) {
      await reader.message((m) => m.event === 'broadcast', 20_000);
      readerGot++;
    }

    // Both heartbeat every 250 ms (Phoenix's clients: 25 s against 60 s) until the slow one is
    // gone, for at most four idle periods.
    let closedAfter = -1;
    for (let beat = 0; beat < (4 * IDLE_MS) / 250; beat++) {
      slow.push('phoenix', 'heartbeat', {});
      const ref = reader.push('phoenix', 'heartbeat', {});
      assert.equal((await reader.reply(ref, 5_000)).payload.status, 'ok');
      if ((await stats()).idleClosed === 1) {
        closedAfter = beat;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    assert.ok(closedAfter >= 0, 'the socket that does not read was closed by the idle timer');
    const after = await stats();
    assert.equal(after.slowConsumersClosed, 0, 'the buffer limit was not what closed it');
    tcp.resume();
    assert.equal((await slow.closed).code, 1006, 'destroyed: a close frame would wait behind what it never read');
    // The reader has been open through the whole test, longer than the idle timeout, and still answers.
    const ref = reader.push('phoenix', 'heartbeat', {});
    assert.equal((await reader.reply(ref, 5_000)).payload.status, 'ok');
    assert.equal(reader.isOpen, true);
    assert.equal((await stats()).idleClosed, 1);
    reader.close();
  });
});
