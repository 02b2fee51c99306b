import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/start.ts';
import { RawSocket, socketUrl, waitFor } from '../support/realtime.ts';
import { LOCAL_ANON_KEY, startTestServer } from '../support/server.ts';

/**
 * One caller holding the public anon key used to be able to take every concurrent-user slot (the
 * real kit then sat at "Reconnecting" on 429s) and the whole server-wide HTTP broadcast budget.
 * Each client address now gets `addressSharePercent` (50 %) of both. A second machine is played
 * by a second loopback address (127.0.0.2), which Linux routes to the same interface.
 */
describe('realtime fair shares per client address (a cap of 4 users, 10 HTTP broadcasts per second, 50 % each)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ realtime: { maxConcurrentUsers: 4, maxEventsPerSecond: 10, addressSharePercent: 50 } });
  });
  after(() => server.close());

  const stats = async (): Promise<{ users: number; connectionsRefused: number; limits: { addressSharePercent: number } }> =>
    (await (await fetch(`${server.url}/flock/stats`)).json()) as { users: number; connectionsRefused: number; limits: { addressSharePercent: number } };

  /** An upgrade from `localAddress`: its HTTP status (101 accepted and closed at once). */
  function upgradeStatus(localAddress: string): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(socketUrl(server.url, { apikey: LOCAL_ANON_KEY, vsn: '2.0.0' }), { localAddress });
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => {});
    });
  }

  it('one address takes at most half the user slots; a second address still joins', async () => {
    const room = `shares-${Date.now()}`;
    const mine = await Promise.all([0, 1, 2].map(() => RawSocket.open(server.url, { localAddress: '127.0.0.1' })));
    const first = await mine[0]!.join(room);
    const second = await mine[1]!.join(room);
    const third = await mine[2]!.join(room);

    assert.equal(first.reply.payload.status, 'ok');
    assert.equal(second.reply.payload.status, 'ok');
    assert.deepEqual(third.reply.payload, { status: 'error', response: { reason: 'ConnectionRateLimitReached: Too many connected users' } });
    assert.equal(await upgradeStatus('127.0.0.1'), 429, 'a new socket from the full address is refused at upgrade');
    const other = await RawSocket.open(server.url, { localAddress: '127.0.0.2' });
    const theirs = await other.join(room);
    assert.equal(theirs.reply.payload.status, 'ok', 'the second address is not locked out');
    const now = await stats();
    assert.equal(now.users, 3);
    assert.equal(now.connectionsRefused, 1);
    assert.equal(now.limits.addressSharePercent, 50);
    // A counted socket keeps its slot for more channels, as in Realtime.
    assert.equal((await mine[0]!.join(`${room}-b`)).reply.payload.status, 'ok');

    // One of the address's sockets leaves: its slot is that address's again.
    mine[0]!.close();
    await mine[0]!.closed;
    await waitFor(() => server.realtime.snapshot().users === 2, "the closed socket's slot freed");
    assert.equal((await mine[2]!.join(room)).reply.payload.status, 'ok');
    for (const s of [...mine.slice(1), other]) s.close();
  });

  /** A broadcast over HTTP from `localAddress`: its status. */
  function post(localAddress: string, i: number): Promise<number> {
    const body = JSON.stringify({ messages: [{ topic: 'shares-http', event: 'e', payload: { i } }] });
    const url = new URL('/realtime/v1/api/broadcast', server.url);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', localAddress, headers: { apikey: LOCAL_ANON_KEY, authorization: `Bearer ${LOCAL_ANON_KEY}`, 'content-type': 'application/json' } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it("one address takes at most half the server's HTTP broadcast budget; a second address still broadcasts", async () => {
    // Sent at once, within one second's window (5 of 10 each).
    const statuses = await Promise.all(Array.from({ length: 7 }, (_, i) => post('127.0.0.1', i)));
    const theirs = await post('127.0.0.2', 99);

    assert.deepEqual(statuses.filter((s) => s === 202).length, 5);
    assert.deepEqual(statuses.filter((s) => s === 429).length, 2);
    assert.equal(theirs, 202);
  });
});
