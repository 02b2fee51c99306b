import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import type { FlockBell } from '../../src/elements/bell/bell.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient, unmountAll } from '../support/elements.js';
import { localServerUrl } from '../support/local-server-url.js';

/**
 * `<flock-chat>` against the local server with real supabase-js clients, each its own user:
 * a message reaches the other once; history pages keep the reader's place; edits and deletes
 * propagate and RLS refuses another's; messages missed while disconnected are fetched on
 * reconnect, once each, in server order; typing crosses the wire and forged typing is dropped;
 * a mention becomes exactly one notification in the mentioned user's bell. The database is the
 * judge (SQL through the test runner).
 */

async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  return ((await executeServerCommand('flock-sql', { sql: query, params })) as { rows: T[] }).rows;
}

const q = <T extends HTMLElement = HTMLElement>(chat: FlockChat, selector: string) => chat.shadowRoot!.querySelector<T>(selector);
const bodies = (chat: FlockChat) => [...chat.shadowRoot!.querySelectorAll('[part~="message"] [part~="body"]')].map((b) => b.textContent);

function type(chat: FlockChat, text: string): HTMLTextAreaElement {
  const area = q<HTMLTextAreaElement>(chat, 'textarea[part="input"]')!;
  area.focus();
  area.value = text;
  area.setSelectionRange(text.length, text.length);
  area.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  return area;
}

function enter(target: Element): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
}

describe('<flock-chat> against the local server', () => {
  let url: string;
  const clients: SupabaseClient[] = [];
  const hosts: HTMLElement[] = [];

  function mount(client: SupabaseClient, room: string, inner = '<flock-chat></flock-chat>'): FlockChat {
    return mountWithClient(client, room, inner, hosts).querySelector('flock-chat')!;
  }

  async function ready(chat: FlockChat): Promise<FlockChat> {
    await waitFor(() => !!chat.room?.user && chat.room.connection.status === 'connected' && !q(chat, '.state')?.textContent?.includes('Loading'), 'the chat ready', 10_000);
    // The channel's join, with its postgres_changes bindings, has been answered.
    await new Promise((r) => setTimeout(r, 300));
    return chat;
  }

  async function user(name: string): Promise<[SupabaseClient, string]> {
    const client = await appClient(url, name);
    clients.push(client);
    return [client, (await client.auth.getUser()).data.user!.id];
  }

  before(async () => {
    url = await localServerUrl();
  });
  afterEach(async () => {
    await unmountAll(hosts, clients);
  });

  it('A sends, B sees it once; edits and deletes propagate; B cannot edit A\'s message', async () => {
    const room = `chat-${crypto.randomUUID()}`;
    const [ada, adaId] = await user('Ada');
    const [bo] = await user('Bo');
    const a = await ready(mount(ada, room));
    const b = await ready(mount(bo, room));
    const received: string[] = [];
    b.addEventListener('flock-message', (e) => received.push(e.detail.message.body));

    enter(type(a, 'Hello <b>Bo</b>, see https://example.com'));
    await waitFor(() => b.messages.length === 1, 'B sees it', 10_000);
    await waitFor(() => a.messages[0]?.state === 'sent', 'A confirmed');
    await new Promise((r) => setTimeout(r, 500));
    expect(received).to.deep.equal(['Hello <b>Bo</b>, see https://example.com']);
    expect(bodies(b)).to.deep.equal(['Hello <b>Bo</b>, see https://example.com']);
    expect(b.shadowRoot!.querySelector('[part="list"] b')).to.equal(null);
    const id = a.messages[0]!.id;
    const [stored] = await sql<{ user_id: string; author_name: string }>('select user_id, author_name from public.flock_messages where id = $1', [id]);
    expect(stored).to.deep.equal({ user_id: adaId, author_name: 'Ada' });

    await a.editMessage(id, 'Hello Bo');
    await waitFor(() => b.messages[0]?.body === 'Hello Bo' && b.messages[0]?.editedAt !== null, 'the edit reaches B', 10_000);

    // B tries to edit A's message: RLS matches no row; B is told, nothing changes anywhere.
    await b.editMessage(id, 'Bo was here');
    await waitFor(() => q(b, '[part="notice"]') !== null, 'the notice');
    expect(q(b, '[part="notice"]')!.textContent).to.contain('You can only change your own messages.');
    expect(b.messages[0]!.body).to.equal('Hello Bo');
    expect((await sql<{ body: string }>('select body from public.flock_messages where id = $1', [id]))[0]!.body).to.equal('Hello Bo');
    await waitFor(() => b.room!.writes.every((w) => w.kind !== 'chat.edit'), 'the refused edit discarded');

    await a.deleteMessage(id);
    await waitFor(() => b.messages[0]?.deletedAt !== null, 'the delete reaches B', 10_000);
    await b.updateComplete;
    expect(bodies(b)).to.deep.equal(['Message deleted']);
    expect((await sql<{ body: string; deleted: boolean }>('select body, deleted_at is not null as deleted from public.flock_messages where id = $1', [id]))[0]).to.deep.equal({ body: '', deleted: true });
  });

  it('pages history up by (created_at, id), keeping the reader\'s place', async () => {
    const room = `history-${crypto.randomUUID()}`;
    const [ada, adaId] = await user('Ada');
    await sql(`insert into public.flock_messages (room, user_id, author_name, body) select $1, $2, 'Ada', 'm' || i from generate_series(1, 130) as i`, [room, adaId]);
    const order = (await sql<{ body: string }>('select body from public.flock_messages where room = $1 order by created_at, id', [room])).map((r) => r.body);
    const chat = await ready(mount(ada, room, '<flock-chat page-size="30"></flock-chat>'));
    await waitFor(() => chat.messages.length >= 30, 'a page');
    const list = q(chat, '[part="list"]')!;
    for (let round = 0; round < 40 && chat.messages.length < 130; round++) {
      const top = chat.shadowRoot!.querySelector<HTMLElement>('[part~="message"]')!;
      const held = chat.messages.length;
      list.scrollTop = 0;
      const where = top.getBoundingClientRect().top - list.getBoundingClientRect().top;
      list.dispatchEvent(new Event('scroll'));
      // Older messages appear above: a page from the server, or ones held but not yet drawn.
      await waitFor(() => chat.messages.length > held || chat.shadowRoot!.querySelector<HTMLElement>('[part~="message"]')!.dataset.id !== top.dataset.id, 'older messages', 10_000);
      await chat.updateComplete;
      await chat.updateComplete;
      // The message that was first is still where the reader left it, with the older ones above.
      const same = chat.shadowRoot!.querySelector<HTMLElement>(`[data-id="${top.dataset.id}"]`)!;
      expect(same.getBoundingClientRect().top - list.getBoundingClientRect().top).to.be.closeTo(where, 2);
      expect(list.scrollTop).to.be.above(0);
    }
    expect(chat.messages.map((m) => m.body)).to.deep.equal(order);
  });

  it('fetches what B missed while disconnected: all 20, once each, in server order', async () => {
    const room = `missed-${crypto.randomUUID()}`;
    const [ada] = await user('Ada');
    const [bo] = await user('Bo');
    const a = await ready(mount(ada, room));
    const b = await ready(mount(bo, room));
    const resynced = new Promise((resolve) => b.room!.addEventListener('resync', resolve, { once: true }));
    bo.realtime.disconnect();
    await waitFor(() => b.room!.connection.status !== 'connected', 'B disconnected');
    for (let i = 1; i <= 20; i++) await a.send(`missed ${i}`);
    await waitFor(() => a.messages.every((m) => m.state === 'sent'), 'A sent 20', 15_000);
    expect(b.messages).to.have.length(0);
    bo.realtime.connect();
    await resynced;
    await waitFor(() => b.messages.length >= 20, 'B caught up', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const order = (await sql<{ body: string }>('select body from public.flock_messages where room = $1 order by created_at, id', [room])).map((r) => r.body);
    expect(b.messages.map((m) => m.body)).to.deep.equal(order);
    expect(order).to.have.length(20);
    expect(new Set(bodies(b)).size).to.equal(20);
  });

  it('shows typing across clients, drops forged typing, and turns a mention into one notification in the bell', async () => {
    const room = `typing-${crypto.randomUUID()}`;
    const [ada] = await user('Ada');
    const [bo, boId] = await user('Bo Peep');
    const a = await ready(mount(ada, room));
    const b = await ready(mount(bo, room, '<flock-chat></flock-chat><flock-bell></flock-bell>'));
    // Bo opening the chat made him a member of the room (a read row), so he can be mentioned.
    for (let i = 0; i < 50; i++) {
      if ((await sql('select 1 from public.flock_reads where user_id = $1 and room = $2', [boId, room])).length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const typing = () => q(a, '[part="typing"]')!.textContent;
    const area = type(b, 'hm');
    await waitFor(() => typing() === 'Bo Peep is typing…', 'typing shown', 10_000);
    area.blur();
    await waitFor(() => typing() === '', 'typing stopped', 10_000);

    // A third client that is not in the room forges Bo's and a stranger's typing.
    const [mallory] = await user('Mallory');
    const dropped = a.room!.connection.dropped;
    const forger = mallory.channel(`flock:${room}`, { config: { broadcast: { self: false } } });
    await new Promise<void>((resolve) => forger.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await forger.send({ type: 'broadcast', event: 'typing', payload: { v: 1, id: crypto.randomUUID(), typing: true } });
    await forger.send({ type: 'broadcast', event: 'typing', payload: { v: 1, id: boId, typing: 'yes' } });
    await waitFor(() => a.room!.connection.dropped >= dropped + 2, 'forgeries dropped', 10_000);
    expect(typing()).to.equal('');

    const input = type(a, 'thanks @Bo');
    await a.updateComplete;
    const option = q(a, '[role="option"]')!;
    expect(option.textContent!.trim()).to.equal('Bo Peep');
    enter(input);
    await a.updateComplete;
    expect(input.value).to.equal('thanks @BoPeep ');
    enter(input);
    await waitFor(() => a.messages[0]?.state === 'sent', 'sent', 10_000);
    const bell = b.parentElement!.querySelector<FlockBell>('flock-bell')!;
    await waitFor(() => bell.unread === 1, 'the bell', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const notes = await sql<{ kind: string; title: string }>('select kind, title from public.flock_notifications where user_id = $1', [boId]);
    expect(notes).to.deep.equal([{ kind: 'mention', title: 'Ada mentioned you' }]);
    await b.updateComplete;
    expect(q(b, '[part="mention"]')!.hasAttribute('data-me')).to.equal(true);
  });
});
