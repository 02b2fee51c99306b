import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { Room } from '../../src/connection/types.js';
import { waitFor } from '../support/browser-rooms.js';
import type { FlockFrame } from '../support/frame-app.js';

/**
 * The outbox end to end, in pages of their own (iframes, so one can reload and two can be
 * tabs): writes made with the server down survive a reload and reach Postgres exactly once,
 * in order, when it returns; a write RLS refuses stays failed until retried or discarded; two
 * tabs of one user don't replay twice. The server really stops and restarts (same port, same
 * data); counts are checked in SQL and in the pages' own REST requests.
 */

interface Started {
  id: string;
  url: string;
}

const frames: HTMLIFrameElement[] = [];
let server: Started;

async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  const { rows } = (await executeServerCommand('flock-sql', { id: server.id, sql: query, params })) as { rows: T[] };
  return rows;
}

async function openFrame(room: string, extra = ''): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.src = `/test/support/frame.html?url=${encodeURIComponent(server.url)}&room=${encodeURIComponent(room)}${extra}`;
  document.body.append(frame);
  frames.push(frame);
  await ready(frame);
  return frame;
}

async function ready(frame: HTMLIFrameElement): Promise<void> {
  await waitFor(() => !!api(frame), 'the frame loaded', 15_000);
  await waitFor(() => !!room(frame).user, 'the frame user resolved', 15_000);
}

function api(frame: HTMLIFrameElement): FlockFrame | undefined {
  return (frame.contentWindow as unknown as { flockFrame?: FlockFrame } | null)?.flockFrame;
}

function room(frame: HTMLIFrameElement): Room {
  return api(frame)!.room();
}

async function reload(frame: HTMLIFrameElement): Promise<void> {
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.contentWindow!.location.reload();
  await loaded;
  await ready(frame);
}

/** The network is back, as far as a page can tell: it tries at once instead of waiting out the backoff. */
function online(frame: HTMLIFrameElement): void {
  frame.contentWindow!.dispatchEvent(new Event('online'));
}

function message(roomName: string, body: string) {
  const id = crypto.randomUUID();
  return { key: id, kind: 'chat.send', label: body, write: { op: 'create' as const, table: 'flock_messages' as const, values: { id, room: roomName, author_name: 'Ada', body } } };
}

describe('outbox through the Room', () => {
  beforeEach(async () => {
    server = (await executeServerCommand('flock-server-start', {})) as Started;
  });
  afterEach(async () => {
    for (const frame of frames.splice(0)) frame.remove();
    await executeServerCommand('flock-server-stop', { id: server.id }).catch(() => undefined);
  });

  it('queues three writes with the server down, keeps them through a reload, and sends each once, in order, when it returns', async () => {
    const roomName = `outbox-${crypto.randomUUID()}`;
    const frame = await openFrame(roomName);
    await waitFor(() => room(frame).connection.status === 'connected', 'connected');

    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => room(frame).connection.status === 'reconnecting', 'reconnecting');
    for (const body of ['one', 'two', 'three']) {
      expect(await room(frame).write(message(roomName, body))).to.deep.equal({ state: 'queued' });
    }
    expect(room(frame).connection.queued).to.equal(3);

    await reload(frame);
    await waitFor(() => room(frame).writes.length === 3, 'the queue after the reload');
    expect(room(frame).writes.map((w) => w.payload.label)).to.deep.equal(['one', 'two', 'three']);
    expect(api(frame)!.restCalls).to.deep.equal([]);

    await executeServerCommand('flock-server-restart', { id: server.id });
    online(frame);
    await waitFor(() => room(frame).connection.status === 'connected' && room(frame).writes.length === 0, 'the queue sent', 15_000);
    const rows = await sql<{ body: string; n: string }>(
      'select body, count(*) over () as n from public.flock_messages where room = $1 order by created_at',
      [roomName],
    );
    expect(rows.map((r) => r.body)).to.deep.equal(['one', 'two', 'three']);
    expect(api(frame)!.restCalls.filter((c) => c === 'POST /rest/v1/flock_messages')).to.have.length(3);
  });

  it('keeps a write the server refuses as failed, visible until it is retried or discarded', async () => {
    const roomName = `refused-${crypto.randomUUID()}`;
    const frame = await openFrame(roomName);
    const refused = message(roomName, 'posing as someone else');
    (refused.write.values as Record<string, unknown>).user_id = crypto.randomUUID();
    const result = await room(frame).write(refused);
    expect(result.state).to.equal('failed');
    expect(result.state === 'failed' && result.reason).to.match(/row-level security/);
    expect(room(frame).writes.map((w) => [w.key, w.state])).to.deep.equal([[refused.key, 'failed']]);
    expect(room(frame).connection.failed).to.equal(1);

    // A later write goes out; the refused one keeps its place and its state.
    expect(await room(frame).write(message(roomName, 'fine'))).to.deep.equal({ state: 'sent' });
    await reload(frame);
    await waitFor(() => room(frame).writes.length === 1, 'the failed write after a reload');
    expect(room(frame).writes[0]!.error).to.match(/row-level security/);

    expect((await room(frame).retryWrite(refused.key))?.state).to.equal('failed');
    await room(frame).discardWrite(refused.key);
    await waitFor(() => room(frame).writes.length === 0, 'discarded');
    expect(room(frame).connection.failed).to.equal(0);
    const rows = await sql<{ body: string }>('select body from public.flock_messages where room = $1', [roomName]);
    expect(rows.map((r) => r.body)).to.deep.equal(['fine']);
  });

  it('replays from one tab only when two tabs of one user come back online together', async () => {
    const roomName = `two-tabs-${crypto.randomUUID()}`;
    const [a, b] = [await openFrame(roomName), await openFrame(roomName)];
    expect(room(a).user!.id).to.equal(room(b).user!.id);
    await waitFor(() => room(a).connection.status === 'connected' && room(b).connection.status === 'connected', 'both connected');

    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => room(a).connection.status !== 'connected' && room(b).connection.status !== 'connected', 'both down');
    for (const body of ['one', 'two', 'three']) await room(a).write(message(roomName, body));
    await waitFor(() => room(b).writes.length === 3, 'the other tab sees the queue');

    // Attempts made while the server was down count no further.
    const before = [api(a)!.restCalls.length, api(b)!.restCalls.length] as const;
    await executeServerCommand('flock-server-restart', { id: server.id });
    online(a);
    online(b);
    await waitFor(() => room(a).writes.length === 0 && room(b).writes.length === 0, 'the queue sent', 15_000);
    const posts = [...api(a)!.restCalls.slice(before[0]), ...api(b)!.restCalls.slice(before[1])].filter((c) => c === 'POST /rest/v1/flock_messages');
    expect(posts).to.have.length(3);
    const rows = await sql<{ body: string }>('select body from public.flock_messages where room = $1 order by created_at', [roomName]);
    expect(rows.map((r) => r.body)).to.deep.equal(['one', 'two', 'three']);
  });

  it('marks all read offline: the bell shows it at once, and the database gets it exactly once after a reload and the reconnect', async () => {
    const frame = await openFrame(`bell-${crypto.randomUUID()}`, '&bell=1');
    const me = room(frame).user!.id;
    const bell = () => frame.contentDocument!.querySelector('flock-bell') as unknown as { unread: number; inbox: { markAllRead(): Promise<void> } };
    for (const title of ['one', 'two', 'three']) {
      await sql('insert into public.flock_notifications (user_id, title) values ($1, $2)', [me, title]);
    }
    await waitFor(() => bell().unread === 3, 'three unread', 15_000).catch((e: Error) => {
      const inbox = (bell() as unknown as { inbox: { state: string; error: string; items: unknown[] } }).inbox;
      throw new Error(`${e.message}: unread ${bell().unread}, state ${inbox.state} ${inbox.error}, items ${inbox.items.length}, user ${me}`);
    });

    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => room(frame).connection.status !== 'connected', 'down');
    await bell().inbox.markAllRead();
    expect(bell().unread).to.equal(0);
    expect(room(frame).writes.map((w) => w.kind)).to.deep.equal(['notification.read-all']);

    await reload(frame);
    await waitFor(() => room(frame).writes.length === 1, 'the queued action after the reload');
    await executeServerCommand('flock-server-restart', { id: server.id });
    online(frame);
    await waitFor(() => room(frame).writes.length === 0, 'sent', 15_000);
    await waitFor(() => bell().unread === 0, 'the badge from the server', 15_000);
    const [row] = await sql<{ n: number }>('select count(*)::int as n from public.flock_notifications where user_id = $1 and read_at is null', [me]);
    expect(row!.n).to.equal(0);
    expect(api(frame)!.restCalls.filter((c) => c === 'PATCH /rest/v1/flock_notifications')).to.have.length(1);
  });
  it('online, sends writes made together once each, in the order made (stored and sent side by side)', async () => {
    const roomName = `online-${crypto.randomUUID()}`;
    const frame = await openFrame(roomName);
    await waitFor(() => room(frame).connection.status === 'connected', 'connected');
    const bodies = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(bodies.map((body) => room(frame).write(message(roomName, body))));
    expect(results).to.deep.equal(bodies.map(() => ({ state: 'sent' })));
    expect(room(frame).writes).to.have.length(0);
    const rows = await sql<{ body: string }>('select body from public.flock_messages where room = $1 order by created_at, id', [roomName]);
    expect(rows.map((r) => r.body)).to.deep.equal(bodies);
    expect(api(frame)!.restCalls.filter((c) => c === 'POST /rest/v1/flock_messages')).to.have.length(5);
  });
});
