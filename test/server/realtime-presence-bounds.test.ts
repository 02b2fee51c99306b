import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/start.ts';
import { RawSocket, waitFor, type PhxMessage } from '../support/realtime.ts';
import { startTestServer } from '../support/server.ts';

/**
 * Presence memory per socket (the attack: metas of up to 256 KB in each of 100 channels, all
 * kept). One meta stays bounded by the payload limit (256 KB, Supabase's); what one socket holds
 * across its channels is bounded by maxPresenceBytesPerSocket (1 MiB), past which the track is
 * refused with Realtime's "Track message size exceeded" and that channel shut down.
 */
describe('realtime presence bytes per socket (1 MiB)', () => {
  const LIMIT = 1024 * 1024;
  let server: RunningServer;
  before(async () => {
    // The presence event rate is raised so the test can track in 40 channels at once; the bound under test is bytes.
    server = await startTestServer({ realtime: { maxPresenceEventsPerSecond: 1000 } });
  });
  after(() => server.close());

  const stats = async (): Promise<{ presenceBytes: number; limits: { maxPresenceBytesPerSocket: number } }> =>
    (await (await fetch(`${server.url}/flock/stats`)).json()) as { presenceBytes: number; limits: { maxPresenceBytesPerSocket: number } };

  /** Tracks `meta` on `topic`: the reply's status, or the system error that shut the channel down. */
  async function track(socket: RawSocket, topic: string, meta: Record<string, unknown>): Promise<string> {
    const ref = socket.push(topic, 'presence', { type: 'presence', event: 'track', payload: meta });
    const answer: PhxMessage = await socket.message(
      (m) => m.topic === topic && ((m.event === 'phx_reply' && m.ref === ref) || m.event === 'system'),
      20_000,
    );
    const payload = answer.payload as { status: string; message?: string };
    return answer.event === 'system' ? `system ${payload.status}: ${payload.message}` : payload.status;
  }

  it('holds at most 1 MiB of presence per socket however many channels track; the rest is refused and freed on close', async () => {
    const SOCKETS = 3;
    const CHANNELS = 40;
    const blob = 'x'.repeat(200 * 1024); // a meta of 204,809 bytes of JSON: five fit in 1 MiB, six do not
    const metaBytes = Buffer.byteLength(JSON.stringify({ blob }));
    const fit = Math.floor(LIMIT / metaBytes);
    assert.equal(fit, 5);
    const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => RawSocket.open(server.url)));
    const run = `presence-bytes-${Date.now()}`;

    const outcomes = await Promise.all(
      sockets.map(async (socket, s) => {
        const results: string[] = [];
        for (let c = 0; c < CHANNELS; c++) {
          const { topic, reply } = await socket.join(`${run}-${s}-${c}`, { presence: { key: `user-${s}`, enabled: true } });
          assert.equal(reply.payload.status, 'ok');
          results.push(await track(socket, topic, { blob }));
        }
        return results;
      }),
    );

    for (const results of outcomes) {
      assert.deepEqual(results.slice(0, fit), Array(fit).fill('ok'));
      assert.deepEqual(new Set(results.slice(fit)), new Set(['system error: Track message size exceeded']));
    }
    const held = await stats();
    assert.equal(held.limits.maxPresenceBytesPerSocket, LIMIT);
    assert.equal(held.presenceBytes, SOCKETS * fit * metaBytes, `held ${held.presenceBytes} B of the ${SOCKETS * CHANNELS * metaBytes} B sent`);
    assert.ok(held.presenceBytes <= SOCKETS * LIMIT);

    // Tracking again in a channel that holds a meta replaces it: counted once, still accepted.
    const again = await track(sockets[0]!, `realtime:${run}-0-0`, { blob: blob.replace('x', 'y') });
    assert.equal(again, 'ok');
    assert.equal((await stats()).presenceBytes, SOCKETS * fit * metaBytes);

    for (const socket of sockets) socket.close();
    await waitFor(() => server.realtime.snapshot().presenceBytes === 0, 'presence freed when the sockets closed');
  });
});
