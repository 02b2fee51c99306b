import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient, unmountAll } from '../support/elements.js';
import { localServerUrl } from '../support/local-server-url.js';
import { createClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY } from '../../src/connection/local-defaults.js';
import { holdLink, releaseLink, startFaultProxy } from '../support/fault-control.js';
import { stopProxy } from '../support/server-control.js';

/**
 * Catch-up after a reconnect reads from where the reader's view of the room was last whole, not
 * from the newest row it happens to hold: a row of its own read back while disconnected is newer
 * than what others sent meanwhile, and reading "after" it skipped their messages for good (found
 * by test/elements/faults-flapping.test.ts, now pinned down here step by step).
 */

async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  return ((await executeServerCommand('flock-sql', { sql: query, params })) as { rows: T[] }).rows;
}

async function storedIds(room: string): Promise<string[]> {
  return (await sql<{ id: string }>('select id from public.flock_messages where room = $1 order by created_at, id', [room])).map((r) => r.id);
}

describe('<flock-chat> catch-up after a reconnect', () => {
  let url: string;
  const clients: SupabaseClient[] = [];
  const hosts: HTMLElement[] = [];

  async function open(name: string, room: string): Promise<[SupabaseClient, FlockChat]> {
    const client = await appClient(url, name);
    clients.push(client);
    const chat = mountWithClient(client, room, '<flock-chat></flock-chat>', hosts).querySelector('flock-chat')!;
    await waitFor(() => !!chat.room?.user && chat.room.connection.status === 'connected' && !chat.shadowRoot?.querySelector('.state')?.textContent?.includes('Loading'), `${name}'s chat`, 10_000);
    return [client, chat];
  }

  before(async () => {
    url = await localServerUrl();
  });
  const proxies: string[] = [];
  afterEach(async () => {
    await unmountAll(hosts, clients);
    for (const id of proxies.splice(0)) await stopProxy(id).catch(() => undefined);
  });

  it("shows what others sent while the reader was away, though the reader's own later message was read back first", async () => {
    const room = `catchup-${crypto.randomUUID()}`;
    const [ada, a] = await open('Ada', room);
    const [, b] = await open('Bo', room);
    // The channel's join, with its postgres_changes bindings, has been answered.
    await new Promise((r) => setTimeout(r, 300));
    await b.send('before');
    await waitFor(() => a.messages.some((m) => m.body === 'before' && m.state === 'sent'), 'Ada sees "before" live', 10_000);

    // Ada's socket goes; her REST requests still work.
    ada.realtime.disconnect();
    await waitFor(() => a.room!.connection.status !== 'connected', 'Ada disconnected');
    // Bo talks meanwhile; Ada hears none of it.
    for (const body of ['gap 1', 'gap 2', 'gap 3']) await b.send(body);
    await waitFor(() => b.messages.filter((m) => m.state === 'sent').length === 4, "Bo's sent", 10_000);
    // Ada writes while disconnected: queued, replayed over REST, and — no live change coming —
    // confirmed by reading its row back. That row is newer than every gap message.
    await a.send('mine');
    await waitFor(() => a.messages.some((m) => m.body === 'mine' && m.state === 'sent'), "Ada's own message confirmed by read-back", 10_000);
    expect(a.messages.map((m) => m.body)).to.deep.equal(['before', 'mine']);

    // Back: the channel re-joins and the chat catches up.
    const resynced = new Promise((resolve) => a.room!.addEventListener('resync', resolve, { once: true }));
    ada.realtime.connect();
    await resynced;
    const stored = await storedIds(room);
    expect(stored).to.have.length(5);
    const held = () => a.messages.map((m) => m.id);
    await waitFor(() => held().length === stored.length, 'Ada caught up', 10_000).catch(() => undefined);
    // Exactly the database's rows, in its order, each once and sent.
    expect(a.messages.map((m) => m.body)).to.deep.equal(['before', 'gap 1', 'gap 2', 'gap 3', 'mine']);
    expect(held()).to.deep.equal(stored);
    expect(a.messages.every((m) => m.state === 'sent')).to.equal(true);
    await a.updateComplete;
    const rendered = [...a.shadowRoot!.querySelectorAll<HTMLElement>('[part~="message"]')].map((r) => r.dataset.id);
    expect(rendered).to.deep.equal(stored);
  });

  it('shows a message inserted after the history was read but before the channel first joined', async () => {
    // Ada's socket goes through a held proxy, her REST straight to the server: the chat reads its
    // history, and its channel can't join until the link is released.
    const proxy = await startFaultProxy(undefined);
    proxies.push(proxy.proxyId);
    await holdLink(proxy.proxyId);
    const direct = new URL(url).host;
    const via = new URL(proxy.url).host;
    class ThroughProxy extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(String(address).replace(direct, via), protocols);
      }
    }
    const ada = createClient(url, LOCAL_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: ThroughProxy },
    });
    const { error } = await ada.auth.signInAnonymously({ options: { data: { name: 'Ada' } } });
    if (error) throw error;
    clients.push(ada);
    const room = `first-join-${crypto.randomUUID()}`;
    await sql("insert into public.flock_messages (id, room, user_id, body) values (gen_random_uuid(), $1, (select id from auth.users limit 1), 'history')", [room]);
    const a = mountWithClient(ada, room, '<flock-chat></flock-chat>', hosts).querySelector('flock-chat')!;
    await waitFor(() => a.messages.some((m) => m.body === 'history'), 'the history read', 10_000);
    expect(a.room!.connection.status === 'connected', 'not joined yet').to.equal(false);

    // In the gap: after the read, before the channel's changes flow.
    await sql("insert into public.flock_messages (id, room, user_id, body) values (gen_random_uuid(), $1, (select id from auth.users limit 1), 'in the gap')", [room]);
    await releaseLink(proxy.proxyId);
    await waitFor(() => a.messages.some((m) => m.body === 'in the gap'), 'the gap caught up after the first join', 10_000);
    expect(a.messages.map((m) => m.id)).to.deep.equal(await storedIds(room));
  });
});
