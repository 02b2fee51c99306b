import { expect } from '@esm-bundle/chai';
import { MemoryNetwork } from '../../src/connection/memory/room.js';
import { MemoryRoom } from '../../src/connection/memory/room.js';
import { waitFor } from '../support/browser-rooms.js';

/**
 * What MemoryRoom adds over the contract: the knobs a story or an element test turns to show
 * a state with no server — seeded peers and rows, scripted connection states, slow and failing
 * reads, refused writes, raw presence from a peer — and a close that leaves nothing running.
 */
describe('MemoryRoom scripting', () => {
  it('starts with seeded peers and rows', async () => {
    const room = new MemoryRoom({
      room: 'seeded',
      user: { id: 'me', name: 'Ada' },
      peers: [{ id: 'bo', name: 'Bo', color: '#0f766e', status: 'away' }],
      rows: { flock_messages: [{ id: 'm1', room: 'seeded', body: 'hello', created_at: '2026-01-01T00:00:00Z' }] },
    });
    await waitFor(() => room.presence.size === 2, 'two people');
    expect(room.presence.get('bo')?.[0]).to.include({ name: 'Bo', status: 'away' });
    const { rows } = await room.rows({ table: 'flock_messages', where: [{ column: 'room', op: 'eq', value: 'seeded' }] });
    expect(rows.map((r) => r.body)).to.deep.equal(['hello']);
    room.close();
  });

  it('shows any scripted connection state, grading quality from latency', () => {
    const room = new MemoryRoom({ room: 'states', connection: { status: 'reconnecting', attempt: 3, latency: 450 } });
    expect(room.connection).to.include({ status: 'reconnecting', attempt: 3, latency: 450, quality: 'fair' });
    const seen: string[] = [];
    room.addEventListener('status', () => seen.push(room.connection.status));
    room.script({ status: 'offline', latency: undefined });
    expect(room.connection.quality).to.equal(undefined);
    room.script({ status: 'connected', latency: 30 });
    expect(room.connection.quality).to.equal('excellent');
    expect(seen).to.deep.equal(['offline', 'connected']);
    room.close();
  });

  it('retries now: back at once when the network is up, one more attempt when it is down', async () => {
    const network = new MemoryNetwork();
    const room = network.join({ room: 'retry', connection: { status: 'reconnecting', attempt: 2 } });
    network.down = true;
    room.retryNow();
    expect(room.connection).to.include({ status: 'reconnecting', attempt: 3 });
    network.down = false;
    room.retryNow();
    expect(room.connection.status).to.equal('connecting');
    await waitFor(() => room.connection.status === 'connected', 'connected');
    room.close();
  });

  it('delays and fails reads as asked, and refuses writes with a given reason', async () => {
    const network = new MemoryNetwork();
    const room = network.join({ room: 'knobs', user: { name: 'Ada' } });
    network.failNext(1, 'Failed to fetch');
    let error: unknown;
    await room.rows({ table: 'flock_messages' }).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('Failed to fetch');
    expect((await room.rows({ table: 'flock_messages' })).rows).to.deep.equal([]);

    network.refuse((write) => (write.table === 'flock_messages' ? 'new row violates check constraint "flock_messages_body_check"' : undefined));
    const result = await room.write({ key: 'k', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'k', room: 'knobs', body: '' } } });
    expect(result).to.deep.equal({ state: 'failed', reason: 'new row violates check constraint "flock_messages_body_check"' });

    network.delayMs = 50;
    let done = false;
    const pending = room.rows({ table: 'flock_messages' }).then(() => (done = true));
    expect(done).to.equal(false);
    await pending;
    room.close();
  });

  it('drops and counts a malformed raw presence meta and shows a valid one', async () => {
    const network = new MemoryNetwork();
    const room = network.join({ room: 'raw' });
    network.injectPresence('raw', 'x', { v: 1, id: 'x', name: 'n'.repeat(500), color: '#fff', status: 'active', since: 1 });
    network.injectPresence('raw', 'y', { v: 1, id: 'y', name: 'Yan', color: '#fff', status: 'active', since: 1 });
    await waitFor(() => room.presence.has('y'), 'y present');
    expect(room.presence.has('x')).to.equal(false);
    expect(room.connection.dropped).to.equal(1);
    room.close();
  });

  it('fires nothing after close, and others see it leave', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [network.join({ room: 'close' }), network.join({ room: 'close' })];
    await waitFor(() => a.presence.size === 2 && b.presence.size === 2, 'both present');
    let events = 0;
    for (const type of ['status', 'presence', 'writes', 'resync', 'user']) a.addEventListener(type, () => events++);
    a.close();
    await waitFor(() => b.presence.size === 1, 'b sees a leave');
    await b.broadcast('typing', { typing: true });
    a.script({ status: 'offline' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).to.equal(0);
  });
});
