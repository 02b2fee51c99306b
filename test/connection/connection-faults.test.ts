import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { SupabaseClient } from '@supabase/supabase-js';
import { acquireRoom, openConnections, type RoomLease } from '../../src/connection/connection-registry.js';
import type { SupabaseRoom } from '../../src/connection/room.js';
import type { RowChange, ConnectionState } from '../../src/connection/types.js';
import { LOCAL_ANON_KEY } from '../../src/index.js';
import type { FlockRoom } from '../../src/elements/room/room.js';
import { appClient, waitFor } from '../support/browser-rooms.js';

/**
 * The connection under real faults: the server stopped and restarted (same port, same data),
 * and a TCP proxy that delays every byte. Status, backoff, re-joins, presence and latency are
 * read from the kit as a page would; supabase-js and the socket are the real ones.
 */

interface Started {
  id: string;
  url: string;
}

let server: Started;
const leases: RoomLease[] = [];
const mounted: HTMLElement[] = [];
const apps: SupabaseClient[] = [];
const proxies: string[] = [];

function mountRoom(url: string, name: string): FlockRoom {
  const el = document.createElement('flock-room');
  el.setAttribute('supabase-url', url);
  el.setAttribute('room', name);
  document.body.append(el);
  mounted.push(el);
  return el;
}

async function joined(room: SupabaseRoom): Promise<void> {
  await waitFor(() => room.session.current?.state === 'joined' && !!room.user && room.presence.has(room.user.id), 'joined', 15_000);
}

async function startProxy(delayMs: number): Promise<string> {
  const { proxyId, url } = (await executeServerCommand('flock-proxy-start', { id: server.id, delayMs })) as { proxyId: string; url: string };
  proxies.push(proxyId);
  return url;
}

describe('the connection under faults', () => {
  beforeEach(async () => {
    server = (await executeServerCommand('flock-server-start', {})) as Started;
  });
  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    await Promise.all(leases.splice(0).map((lease) => lease.release()));
    for (const client of apps.splice(0)) {
      await client.removeAllChannels();
      void client.realtime.disconnect();
    }
    for (const proxyId of proxies.splice(0)) await executeServerCommand('flock-proxy-stop', { proxyId });
    await executeServerCommand('flock-server-stop', { id: server.id }).catch(() => undefined);
    await waitFor(() => openConnections() === 0, 'every connection released');
  });

  it('reconnects with growing, jittered delays when the server stops, then re-joins with every binding and re-tracks presence', async () => {
    const name = `restart-${crypto.randomUUID()}`;
    const el = mountRoom(server.url, name);
    const room = el.api as SupabaseRoom;
    const changes: RowChange[] = [];
    room.onChanges({ event: 'INSERT', table: 'flock_messages', filter: `room=eq.${name}` }, (c) => changes.push(c));
    await joined(room);
    const peer = await appClient(server.url, 'Peer');
    apps.push(peer);
    const peerChannel = peer.channel(`flock:${name}`).on('presence', { event: 'sync' }, () => undefined);
    await new Promise<void>((resolve) => peerChannel.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await waitFor(() => room.user!.id in peerChannel.presenceState(), 'the peer sees us');
    let resyncs = 0;
    room.addEventListener('resync', () => resyncs++);

    const plans: { attempt: number; delay: number }[] = [];
    const onStatus = () => {
      const state: ConnectionState = room.connection;
      if (state.nextRetryAt !== undefined && !plans.some((p) => p.attempt === state.attempt)) {
        plans.push({ attempt: state.attempt, delay: state.nextRetryAt - Date.now() });
      }
    };
    room.addEventListener('status', onStatus);
    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => room.connection.status === 'reconnecting', 'reconnecting');
    await waitFor(() => plans.length >= 3, 'three planned retries', 15_000);
    room.removeEventListener('status', onStatus);
    expect(plans.slice(0, 3).map((p) => p.attempt)).to.deep.equal([1, 2, 3]);
    // Full jitter: each delay is somewhere below its ceiling of 1 s, 2 s, 4 s.
    plans.slice(0, 3).forEach(({ attempt, delay }) => expect(delay).to.be.within(-50, 1000 * 2 ** (attempt - 1)));
    expect(new Set(plans.map((p) => Math.round(p.delay / 10))).size).to.be.greaterThan(1);
    expect(peerChannel.presenceState()).to.not.have.property(room.user!.id);

    await executeServerCommand('flock-server-restart', { id: server.id });
    window.dispatchEvent(new Event('online'));
    await waitFor(() => room.connection.status === 'connected', 'connected again', 15_000);
    await waitFor(() => resyncs === 1, 'told to refetch');
    await waitFor(() => room.user!.id in peerChannel.presenceState(), 'presence re-tracked', 15_000);
    expect(room.connection.attempt).to.equal(0);
    await executeServerCommand('flock-sql', {
      id: server.id,
      sql: `insert into public.flock_messages (room, user_id, author_name, body) values ($1, $2, 'Ada', 'after the restart')`,
      params: [name, room.user!.id],
    });
    await waitFor(() => changes.length === 1, 'the binding joined again');
    expect(changes[0]!.new.body).to.equal('after the restart');
  });

  it('tries at once when the browser says the network is back, instead of waiting out the backoff', async () => {
    // A backoff that would wait about a minute: only the online event can explain a quick return.
    const lease = acquireRoom({ url: server.url, key: LOCAL_ANON_KEY, room: 'online', backoff: { baseMs: 60_000, capMs: 60_000, random: () => 0.99 } });
    leases.push(lease);
    await joined(lease.room);
    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => lease.room.connection.nextRetryAt !== undefined, 'a retry planned');
    expect(lease.room.connection.nextRetryAt! - Date.now()).to.be.greaterThan(30_000);
    window.dispatchEvent(new Event('offline'));
    expect(lease.room.connection.status).to.equal('offline');

    await executeServerCommand('flock-server-restart', { id: server.id });
    window.dispatchEvent(new Event('online'));
    await waitFor(() => lease.room.connection.status === 'connected', 'connected at once');
    await joined(lease.room);
  });

  it('reports latency and quality from heartbeats, and they follow delay added on the wire', async () => {
    const proxy = await startProxy(0);
    const el = mountRoom(proxy, 'latency');
    const room = el.api as SupabaseRoom;
    await joined(room);
    await waitFor(() => room.connection.latency !== undefined, 'a first figure');
    expect(room.connection.quality).to.be.oneOf(['excellent', 'good']);

    await executeServerCommand('flock-proxy-delay', { proxyId: proxies[0], delayMs: 200 });
    // Each probe is a real heartbeat round trip (400 ms now); the average moves towards it.
    await waitFor(() => {
      room.sharedConnection.probe();
      return (room.connection.latency ?? 0) >= 300;
    }, 'latency above 300 ms', 20_000);
    expect(room.connection.quality).to.be.oneOf(['fair', 'poor']);

    await executeServerCommand('flock-proxy-delay', { proxyId: proxies[0], delayMs: 0 });
    await waitFor(() => {
      room.sharedConnection.probe();
      return room.connection.quality === 'excellent';
    }, 'excellent again', 20_000);
  });

  it('counts a heartbeat with no reply within two intervals as a lost connection', async () => {
    const proxy = await startProxy(0);
    // The app's own client and settings: the kit only observes them.
    const app = await appClient(proxy, 'Slow', { heartbeatIntervalMs: 400 });
    apps.push(app);
    const el = document.createElement('flock-room');
    el.room = 'heartbeat';
    el.client = app;
    document.body.append(el);
    mounted.push(el);
    const room = el.api as SupabaseRoom;
    await joined(room);
    const statuses: string[] = [];
    room.addEventListener('status', () => statuses.push(room.connection.status));

    await executeServerCommand('flock-proxy-delay', { proxyId: proxies[0], delayMs: 3000 });
    await waitFor(() => statuses.includes('reconnecting'), 'the lost heartbeat noticed', 10_000);
    await executeServerCommand('flock-proxy-delay', { proxyId: proxies[0], delayMs: 0 });
    await waitFor(() => room.connection.status === 'connected', 'back by the app client’s own reconnect', 15_000);
    expect(room.connection.owned).to.equal(false);
  });
});
