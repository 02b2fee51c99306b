import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { BackoffOptions } from '../../src/connection/backoff.js';
import { acquireRoom, type RoomLease } from '../../src/connection/connection-registry.js';
import { LOCAL_ANON_KEY } from '../../src/connection/local-defaults.js';
import type { FlockAvatars } from '../../src/elements/avatars/avatars.js';
import type { FlockBell } from '../../src/elements/bell/bell.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import type { FlockRoom } from '../../src/elements/room/room.js';
import type { FlockStatus } from '../../src/elements/status/status.js';
import '../../src/index.js';
import { appClient, waitFor } from './browser-rooms.js';
import { mountWithClient, unmountAll } from './elements.js';
import { startFaultProxy, startServerWith, type LinkShape, type ServerOptions } from './fault-control.js';
import { localServerUrl } from './local-server-url.js';
import { runSql, stopProxy, stopServer, type TestProxy } from './server-control.js';

/**
 * The stage of the fault scenarios (test/elements/faults-*.test.ts): a server of the test's
 * own; Ada's page — chat, bell, avatars and status on the kit's own connection, reaching the
 * server only through a fault proxy; and Bo, a peer on a client of his own straight to the
 * server. `settled()` is the verdict every scenario ends with: what each user sees (rendered
 * rows, badge, avatars, status) equals what the database holds, nothing twice, nothing lost,
 * and the page raised no unhandled rejection.
 */

export interface Scene {
  /** The server's id for SQL (undefined: the run's default server) and its URL. */
  server: { id: string | undefined; url: string };
  proxy: TestProxy;
  room: string;
  lease: RoomLease;
  ada: { id: string; chat: FlockChat; bell: FlockBell; avatars: FlockAvatars; status: FlockStatus };
  bo: { id: string; client: SupabaseClient; chat: FlockChat; avatars: FlockAvatars };
  /** Every body either user sent, in the order sent. */
  sent: string[];
  /** The sends still settling (`chat.send` resolves once the write left the outbox or was queued). */
  sending: Promise<unknown>[];
  /** Reasons of unhandled rejections seen by the page since the scene opened. */
  rejections: string[];
}

export interface SceneOptions {
  /** Heartbeat of Ada's (kit-created) client; default the kit's 15 s. */
  heartbeatMs?: number;
  backoff?: BackoffOptions;
  /** A server of the test's own (to restart it, or with options); default: the run's in-memory server. */
  server?: ServerOptions;
  link?: LinkShape;
}

const hosts: HTMLElement[] = [];
const clients: SupabaseClient[] = [];
let current: { scene: Scene; teardown: () => void } | undefined;

export async function openScene(options: SceneOptions = {}): Promise<Scene> {
  const rejections: string[] = [];
  const onRejection = (event: PromiseRejectionEvent) => rejections.push(String((event.reason as Error)?.message ?? event.reason));
  window.addEventListener('unhandledrejection', onRejection);
  const server: Scene['server'] = options.server ? await startServerWith(options.server) : { id: undefined, url: await localServerUrl() };
  const proxy = await startFaultProxy(server.id, options.link);
  const room = `faults-${crypto.randomUUID()}`;
  const lease = acquireRoom({ url: proxy.url, key: LOCAL_ANON_KEY, room, heartbeatMs: options.heartbeatMs, backoff: options.backoff });
  lease.connection.setProfile({ name: 'Ada' });

  const host = document.createElement('div');
  host.innerHTML = `<flock-room>
      <flock-status></flock-status><flock-avatars></flock-avatars><flock-bell page-size="100"></flock-bell><flock-chat></flock-chat>
    </flock-room>`;
  (host.firstElementChild as FlockRoom).api = lease.room;
  document.body.append(host);
  hosts.push(host);

  const boClient = await appClient(server.url, 'Bo');
  clients.push(boClient);
  const boRoom = mountWithClient(boClient, room, '<flock-avatars></flock-avatars><flock-chat></flock-chat>', hosts);

  const q = <T extends Element>(root: ParentNode, tag: string) => root.querySelector(tag) as unknown as T;
  const scene: Scene = {
    server,
    proxy,
    room,
    lease,
    ada: { id: '', chat: q(host, 'flock-chat'), bell: q(host, 'flock-bell'), avatars: q(host, 'flock-avatars'), status: q(host, 'flock-status') },
    bo: { id: (await boClient.auth.getUser()).data.user!.id, client: boClient, chat: q(boRoom, 'flock-chat'), avatars: q(boRoom, 'flock-avatars') },
    sent: [],
    sending: [],
    rejections,
  };
  current = { scene, teardown: () => window.removeEventListener('unhandledrejection', onRejection) };
  await waitFor(() => !!lease.room.user && lease.room.connection.status === 'connected', 'Ada connected', 20_000);
  scene.ada.id = lease.room.user!.id;
  await waitFor(() => avatarNames(scene.ada.avatars).length === 2 && avatarNames(scene.bo.avatars).length === 2, 'both see both', 20_000);
  return scene;
}

/** After each test: removes the pages, closes clients, proxy and server. */
export async function closeScene(): Promise<void> {
  const open = current;
  current = undefined;
  await unmountAll(hosts, clients);
  if (!open) return;
  open.teardown();
  await open.scene.lease.release();
  await stopProxy(open.scene.proxy.proxyId).catch(() => undefined);
  if (open.scene.server.id) await stopServer(open.scene.server.id).catch(() => undefined);
}

/**
 * Sends `body` from a user's chat as the composer would, and remembers it; resolves once it
 * shows (pending or sent), not when the network is done with it (`settled` waits for that).
 */
export async function say(scene: Scene, chat: FlockChat, body: string): Promise<void> {
  scene.sent.push(body);
  scene.sending.push(chat.send(body));
  await waitFor(() => chat.messages.some((m) => m.body === body), `"${body}" shown`, 5000);
}

/** A notification for Ada, inserted as the service side would (SQL as the owner). */
export async function notifyAda(scene: Scene, title: string): Promise<void> {
  await runSql('insert into public.flock_notifications (user_id, title, body) values ($1, $2, $3)', { id: scene.server.id, params: [scene.ada.id, title, `about ${title}`] });
}

/** The avatars' accessible names, as a screen reader would list them ("Ada (you), active"). */
export function avatarNames(el: FlockAvatars): string[] {
  return [...(el.shadowRoot?.querySelectorAll('[part~="avatar"]') ?? [])].map((b) => b.getAttribute('aria-label') ?? '');
}

/** The rendered message rows: `id:state`. */
export function renderedRows(chat: FlockChat): string[] {
  return [...(chat.shadowRoot?.querySelectorAll<HTMLElement>('[part~="message"]') ?? [])].map((r) => `${r.dataset.id}:${r.dataset.state}`);
}

/** Opens Ada's inbox and presses "Mark all read", as she would; leaves it closed. */
export async function markAllRead(bell: FlockBell): Promise<void> {
  bell.open = true;
  await bell.updateComplete;
  bell.shadowRoot!.querySelector<HTMLButtonElement>('[part~="mark-all"]')!.click();
  bell.open = false;
  await bell.updateComplete;
}

export function badge(bell: FlockBell): string {
  return bell.shadowRoot?.querySelector<HTMLElement>('[part="badge"]')?.dataset.count ?? '';
}

/** What the scene looks like now, from the database and from each page, as small comparable values. */
async function observe(scene: Scene) {
  const rows = await runSql<{ id: string; body: string }>('select id, body from public.flock_messages where room = $1 order by created_at, id', {
    id: scene.server.id,
    params: [scene.room],
  });
  const [unread] = await runSql<{ n: number }>('select count(*)::int as n from public.flock_notifications where user_id = $1 and read_at is null', {
    id: scene.server.id,
    params: [scene.ada.id],
  });
  // Rows named by body (readable on failure); an id the database doesn't hold stays an id.
  const bodyOf = new Map(rows.map((r) => [r.id, r.body]));
  const named = (row: string) => row.replace(/^[^:]+/, (id) => bodyOf.get(id) ?? id);
  const expectedRows = rows.map((r) => `${r.body}:sent`);
  return {
    dbBodies: rows.map((r) => r.body).sort(),
    sentBodies: [...scene.sent].sort(),
    expectedRows,
    adaRows: renderedRows(scene.ada.chat).map(named),
    boRows: renderedRows(scene.bo.chat).map(named),
    badge: badge(scene.ada.bell),
    expectedBadge: unread!.n === 0 ? '' : String(unread!.n),
    adaSees: avatarNames(scene.ada.avatars).sort(),
    boSees: avatarNames(scene.bo.avatars).sort(),
    status: scene.ada.status.getAttribute('status'),
  };
}

/**
 * The verdict: within `timeoutMs`, every body sent is stored exactly once; both chats render
 * exactly the stored rows (in order, all sent); the badge equals the unread count; each user
 * sees both avatars; Ada's status is connected; and no unhandled rejection happened.
 */
export async function settled(scene: Scene, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stuck: number | undefined;
  await Promise.race([
    Promise.all(scene.sending.splice(0)).finally(() => clearTimeout(stuck)),
    new Promise((_, reject) => (stuck = window.setTimeout(() => reject(new Error('a send never settled')), timeoutMs))),
  ]);
  const expectedNames = { ada: ['Ada (you), active', 'Bo, active'], bo: ['Ada, active', 'Bo (you), active'] };
  for (;;) {
    const seen = await observe(scene);
    const ok =
      same(seen.dbBodies, seen.sentBodies) &&
      same(seen.adaRows, seen.expectedRows) &&
      same(seen.boRows, seen.expectedRows) &&
      seen.badge === seen.expectedBadge &&
      same(seen.adaSees, expectedNames.ada) &&
      same(seen.boSees, expectedNames.bo) &&
      seen.status === 'connected';
    if (ok || Date.now() > deadline) {
      // Small values only (chai prints what it compares).
      expect(seen.dbBodies, 'stored exactly once').to.deep.equal(seen.sentBodies);
      expect(seen.adaRows, 'Ada renders the stored rows').to.deep.equal(seen.expectedRows);
      expect(seen.boRows, 'Bo renders the stored rows').to.deep.equal(seen.expectedRows);
      expect(seen.badge, 'the badge').to.equal(seen.expectedBadge);
      expect(seen.adaSees, 'Ada sees').to.deep.equal(expectedNames.ada);
      expect(seen.boSees, 'Bo sees').to.deep.equal(expectedNames.bo);
      expect(seen.status, 'Ada’s status').to.equal('connected');
      expect(scene.rejections, 'unhandled rejections').to.deep.equal([]);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
