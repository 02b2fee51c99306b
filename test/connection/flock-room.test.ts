import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { openConnections } from '../../src/connection/connection-registry.js';
import type { SupabaseRoom } from '../../src/connection/room.js';
import type { RowChange } from '../../src/connection/types.js';
import '../../src/index.js';
import type { FlockRoom } from '../../src/elements/room/room.js';
import { appClient, countSockets, nextEvent, waitFor, type TestConsumer, type TestShadowHost } from '../support/browser-rooms.js';
import { localServerUrl } from '../support/local-server-url.js';

/**
 * `<flock-room>` against the real local server in Chromium: one socket for the page, context
 * through shadow roots, identity, the channel's bindings, validation of what peers send, and
 * teardown. The page's WebSocket constructor is wrapped (before the kit makes its client) to
 * count sockets; nothing of supabase-js is replaced.
 */

const sockets = countSockets();
let url: string;
const mounted: HTMLElement[] = [];
const apps: SupabaseClient[] = [];

function mount(markup: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = markup;
  document.body.append(host);
  mounted.push(host);
  return host;
}

function roomOf(el: FlockRoom): SupabaseRoom {
  const room = el.api;
  if (!room) throw new Error('no room');
  return room as SupabaseRoom;
}

async function joined(el: FlockRoom): Promise<SupabaseRoom> {
  const room = roomOf(el);
  await waitFor(() => room.session.current?.state === 'joined' && room.user !== undefined && room.presence.has(room.user.id), 'room joined with presence');
  return room;
}

async function stats(): Promise<{ connections: number; channels: number }> {
  return (await (await fetch(`${url}/flock/stats`)).json()) as { connections: number; channels: number };
}

describe('<flock-room>', () => {
  before(async () => {
    url = await localServerUrl();
  });
  afterEach(async () => {
    for (const host of mounted.splice(0)) host.remove();
    for (const client of apps.splice(0)) {
      await client.removeAllChannels();
      void client.realtime.disconnect();
    }
    await waitFor(() => openConnections() === 0, 'every connection released');
  });

  it('opens one WebSocket for two rooms and all their consumers, and gives each consumer its room through shadow roots', async () => {
    const host = mount(`
      <flock-room id="a" room="one-socket-a" supabase-url="${url}" user-name="Ada">
        <test-consumer></test-consumer><test-shadow-host></test-shadow-host>
      </flock-room>
      <flock-room id="b" room="one-socket-b" supabase-url="${url}" user-name="Ada">
        <test-consumer></test-consumer><test-consumer></test-consumer>
      </flock-room>`);
    const [a, b] = [host.querySelector<FlockRoom>('#a')!, host.querySelector<FlockRoom>('#b')!];
    const [roomA, roomB] = [await joined(a), await joined(b)];
    expect(roomA.session.current?.topic).to.equal('realtime:flock:one-socket-a');
    expect(roomB.session.current?.topic).to.equal('realtime:flock:one-socket-b');
    // Compared by identity: chai would try to print a whole Room (and its client) on failure.
    expect(a.querySelector<TestConsumer>('test-consumer')!.room === roomA).to.equal(true);
    expect(a.querySelector<TestShadowHost>('test-shadow-host')!.inner.room === roomA).to.equal(true);
    for (const consumer of b.querySelectorAll<TestConsumer>('test-consumer')) expect(consumer.room === roomB).to.equal(true);
    expect(sockets.urls.filter((u) => u.includes('/realtime/v1/websocket'))).to.have.length(1);
    expect(openConnections()).to.equal(1);
    expect(roomA.user?.name).to.equal('Ada');
    expect(roomA.user?.kind).to.equal('anonymous');
    expect(roomA.user?.id).to.equal(roomB.user?.id);
    const server = await stats();
    expect(server.connections).to.equal(1);
    expect(server.channels).to.equal(2);
  });

  it('uses an app-supplied client as is: its socket, its session as the identity', async () => {
    const app = await appClient(url, 'Bo from the app');
    apps.push(app);
    const { data } = await app.auth.getUser();
    const before = sockets.urls.length;
    const el = document.createElement('flock-room');
    el.room = 'app-client';
    el.client = app;
    mount('').append(el);
    const room = await joined(el);
    expect(room.user?.id).to.equal(data.user?.id);
    expect(room.user?.name).to.equal('Bo from the app');
    expect(room.connection.owned).to.equal(false);
    expect(app.realtime.getChannels().map((c) => c.topic)).to.deep.equal(['realtime:flock:app-client']);
    // The app's client opened its one socket; the kit opened none of its own.
    expect(sockets.urls.length - before).to.equal(1);
  });

  it('uses a client set just after insertion (as @lit/react does, in a layout effect) and never makes one of its own', async () => {
    const app = await appClient(url, 'Cy from the app');
    apps.push(app);
    const el = document.createElement('flock-room');
    el.setAttribute('room', 'late-client');
    el.setAttribute('supabase-url', url);
    const owned: boolean[] = [];
    el.addEventListener('flock-status-change', (e) => owned.push(e.detail.state.owned));
    mount('').append(el);
    el.client = app;
    const room = await joined(el);
    expect(room.connection.owned).to.equal(false);
    // Not even briefly the kit's own client (which would sign in anonymously, as someone else).
    expect(owned.length > 0 && owned.every((o) => !o)).to.equal(true);
    expect(room.user?.name).to.equal('Cy from the app');
  });

  it('gathers bindings made in one task into one join, and re-joins once for a later one', async () => {
    const el = mount(`<flock-room room="bindings-${crypto.randomUUID()}" supabase-url="${url}"></flock-room>`).firstElementChild as FlockRoom;
    const room = roomOf(el);
    const first: RowChange[] = [];
    const second: RowChange[] = [];
    room.onChanges({ event: 'INSERT', table: 'flock_messages', filter: `room=eq.${room.name}` }, (c) => first.push(c));
    room.onChanges({ event: 'UPDATE', table: 'flock_messages', filter: `room=eq.${room.name}` }, (c) => first.push(c));
    await joined(el);
    expect(room.session.joins).to.equal(1);

    room.onChanges({ event: '*', table: 'flock_messages', filter: `room=eq.${room.name}` }, (c) => second.push(c));
    room.onChanges({ event: 'DELETE', table: 'flock_messages' }, () => undefined);
    await waitFor(() => room.session.joins === 2 && room.session.current?.state === 'joined', 're-join');
    const id = crypto.randomUUID();
    const result = await room.write({ key: id, kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id, room: room.name, author_name: 'Ada', body: 'hello' } } });
    expect(result).to.deep.equal({ state: 'sent' });
    await waitFor(() => first.length === 1 && second.length === 1, 'both bindings delivered');
    expect(first[0]!.new.body).to.equal('hello');
    expect(second[0]!.eventType).to.equal('INSERT');
    expect(room.session.joins).to.equal(2);
  });

  it('drops and counts malformed broadcasts and presence metas from another client, delivering only valid ones', async () => {
    const el = mount(`<flock-room room="garbage-${crypto.randomUUID()}" supabase-url="${url}"></flock-room>`).firstElementChild as FlockRoom;
    const room = await joined(el);
    const typing: unknown[] = [];
    room.onBroadcast('typing', (p) => typing.push(p));
    const peer = await appClient(url, 'Mallory');
    apps.push(peer);
    const { data } = await peer.auth.getUser();
    const peerId = data.user!.id;
    const channel: RealtimeChannel = peer.channel(`flock:${room.name}`, { config: { presence: { key: peerId } } });
    await new Promise<void>((resolve) => channel.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await channel.track({ v: 1, id: peerId, name: 'Mallory', color: '#7c3aed', status: 'active', since: Date.now() });
    await waitFor(() => room.presence.has(peerId), 'the peer present');
    const droppedBefore = room.connection.dropped;

    const garbage: [string, unknown][] = [
      ['typing', { v: 1, id: peerId, typing: 'yes' }],
      ['typing', { v: 1, id: 'x'.repeat(100_000), typing: true }],
      ['cursor', { v: 1, id: peerId, x: Number.NaN, y: 0.5 }],
      ['cursor', { v: 1, id: peerId, x: 0.5, y: 0.5, extra: { nested: { deeper: [1, 2, 3] } } }],
      ['typing', { v: 1, id: 'someone-not-here', typing: true }],
      ['typing', 'not an object'],
      ['unknown-event', { v: 1, id: peerId }],
      ['typing', null],
    ];
    for (const [event, payload] of garbage) await channel.send({ type: 'broadcast', event, payload });
    // Not JSON at all: vsn 2 carries binary broadcasts as they are.
    await channel.send({ type: 'broadcast', event: 'typing', payload: new Uint8Array([1, 2, 3]).buffer });
    await channel.send({ type: 'broadcast', event: 'typing', payload: { v: 1, id: peerId, typing: true } });
    await waitFor(() => typing.length === 1, 'the valid message');
    await waitFor(() => room.connection.dropped - droppedBefore === garbage.length + 1, 'every bad message counted');
    expect(typing).to.deep.equal([{ v: 1, id: peerId, typing: true }]);

    // A second tab of Mallory's with a meta that isn't one: dropped, counted, and not shown.
    const second = await appClient(url, 'Mallory 2');
    apps.push(second);
    const bad = second.channel(`flock:${room.name}`, { config: { presence: { key: 'evil' } } });
    await new Promise<void>((resolve) => bad.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await bad.track({ v: 1, id: 'evil', name: 'n'.repeat(5000), color: 'red; background: url(x)', status: 'active', since: Number.POSITIVE_INFINITY });
    await waitFor(() => room.connection.dropped - droppedBefore === garbage.length + 2, 'the bad meta counted');
    expect(room.presence.has('evil')).to.equal(false);
    expect(room.presence.has(peerId)).to.equal(true);
  });

  it('leaves the channel, closes its own socket and clears every timer when removed', async () => {
    const host = mount(`<flock-room room="teardown" supabase-url="${url}"><test-consumer></test-consumer></flock-room>`);
    const el = host.firstElementChild as FlockRoom;
    const room = await joined(el);
    const connection = room.sharedConnection;
    const statusEvents: Event[] = [];
    room.addEventListener('status', (e) => statusEvents.push(e));
    expect((await stats()).channels).to.equal(1);
    host.remove();
    await waitFor(() => openConnections() === 0, 'released');
    await waitFor(() => connection.client.realtime.connectionState() === 'closed', 'socket closed');
    const server = await stats();
    expect(server.channels).to.equal(0);
    expect(server.connections).to.equal(0);
    expect(connection.pendingTimers).to.equal(0);
    expect(el.api === undefined).to.equal(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(statusEvents).to.have.length(0);
  });

  it('delivers the user’s own rows on their own channel, shared by the rooms', async () => {
    const host = mount(`<flock-room room="user-a" supabase-url="${url}"></flock-room><flock-room room="user-b" supabase-url="${url}"></flock-room>`);
    const [a, b] = [...host.querySelectorAll<FlockRoom>('flock-room')].map(roomOf) as [SupabaseRoom, SupabaseRoom];
    const fromA: RowChange[] = [];
    const fromB: RowChange[] = [];
    await waitFor(() => !!a.user, 'user');
    const filter = `user_id=eq.${a.user!.id}`;
    a.onChanges({ event: 'INSERT', table: 'flock_notifications', filter }, (c) => fromA.push(c), 'user');
    b.onChanges({ event: 'INSERT', table: 'flock_notifications', filter }, (c) => fromB.push(c), 'user');
    const personal = a.sharedConnection.userChannel();
    await waitFor(() => personal.current?.state === 'joined', 'the user channel joined');
    expect(personal.current?.topic).to.equal(`realtime:flock-user:${a.user!.id}`);
    expect(personal.joins).to.equal(1);
    await executeServerCommand('flock-sql', {
      sql: `insert into public.flock_notifications (user_id, title) values ($1, 'For you')`,
      params: [a.user!.id],
    });
    await waitFor(() => fromA.length === 1 && fromB.length === 1, 'delivered to both rooms’ listeners');
    expect(fromA[0]!.new.title).to.equal('For you');
  });

  it('shows a changed user-name to the room at once, without a new join', async () => {
    const el = mount(`<flock-room room="rename-${crypto.randomUUID()}" supabase-url="${url}" user-name="Ada"></flock-room>`).firstElementChild as FlockRoom;
    const room = await joined(el);
    const joins = room.session.joins;
    el.userName = 'Ada Lovelace';
    await waitFor(() => room.presence.get(room.user!.id)?.[0]?.name === 'Ada Lovelace', 'the new name in presence');
    expect(room.user?.name).to.equal('Ada Lovelace');
    expect(room.session.joins).to.equal(joins);
  });

  it('is a present, read-only visitor with an app client that has no session', async () => {
    const app = await appClient(url);
    apps.push(app);
    const el = document.createElement('flock-room');
    el.room = `visitor-${crypto.randomUUID()}`;
    el.client = app;
    mount('').append(el);
    const room = await joined(el);
    expect(room.user?.kind).to.equal('visitor');
    expect(room.user?.id).to.equal(localStorage.getItem('flock-visitor-id'));
    const id = crypto.randomUUID();
    const result = await room.write({ key: id, kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id, room: room.name, author_name: 'V', body: 'hi' } } });
    expect(result.state).to.equal('failed');
    await room.discardWrite(id);
  });

  it('fires flock-status-change when the connection comes up', async () => {
    const el = document.createElement('flock-room');
    el.setAttribute('room', 'status-events');
    el.setAttribute('supabase-url', url);
    const seen: string[] = [];
    el.addEventListener('flock-status-change', (e) => seen.push(e.detail.state.status));
    const user = nextEvent(el, 'flock-user-change');
    mount('').append(el);
    await joined(el);
    await user;
    expect(seen[0]).to.be.oneOf(['connecting', 'connected']);
    expect(seen).to.include('connected');
  });
});
