import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient, unmountAll } from '../support/elements.js';
import type { FlockFrame } from '../support/frame-app.js';

/**
 * `<flock-chat>` offline, end to end: Ada's chat is in a page of its own (an iframe, so it can
 * reload), Bo's is in this page with his own client. With the server really stopped, Ada sends
 * three messages (shown pending), reloads (still pending, from the outbox), the server returns:
 * each is stored exactly once, in order, and Bo sees them. A message the database refuses (its
 * CHECK) ends `failed` with Retry and Discard.
 */

interface Started {
  id: string;
  url: string;
}

let server: Started;
const frames: HTMLIFrameElement[] = [];
const hosts: HTMLElement[] = [];
const clients: SupabaseClient[] = [];

async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  return ((await executeServerCommand('flock-sql', { id: server.id, sql: query, params })) as { rows: T[] }).rows;
}

function chatIn(frame: HTMLIFrameElement): FlockChat | null {
  return frame.contentDocument?.querySelector('flock-chat') ?? null;
}

function api(frame: HTMLIFrameElement): FlockFrame | undefined {
  return (frame.contentWindow as unknown as { flockFrame?: FlockFrame } | null)?.flockFrame;
}

async function ready(frame: HTMLIFrameElement): Promise<FlockChat> {
  await waitFor(() => !!api(frame) && !!chatIn(frame)?.room?.user, 'the frame ready', 15_000);
  return chatIn(frame)!;
}

const states = (chat: FlockChat) => chat.messages.map((m) => `${m.body}:${m.state}`);
const drawn = (chat: FlockChat, state: string) => chat.shadowRoot!.querySelectorAll(`[part~="message"][data-state="${state}"]`).length;

describe('<flock-chat> offline', () => {
  beforeEach(async () => {
    server = (await executeServerCommand('flock-server-start', {})) as Started;
  });
  afterEach(async () => {
    for (const frame of frames.splice(0)) frame.remove();
    await unmountAll(hosts, clients);
    await executeServerCommand('flock-server-stop', { id: server.id }).catch(() => undefined);
  });

  it('sends three messages written offline exactly once, in order, after a reload; a refused one ends failed with Retry and Discard', async () => {
    const room = `offline-${crypto.randomUUID()}`;
    const frame = document.createElement('iframe');
    frame.src = `/test/support/frame.html?url=${encodeURIComponent(server.url)}&room=${encodeURIComponent(room)}&chat=1`;
    document.body.append(frame);
    frames.push(frame);
    let ada = await ready(frame);

    const bo = await appClient(server.url, 'Bo');
    clients.push(bo);
    const boChat = mountWithClient(bo, room, '<flock-chat></flock-chat>', hosts).querySelector('flock-chat')!;
    await waitFor(() => ada.room?.connection.status === 'connected' && boChat.room?.connection.status === 'connected', 'both connected', 15_000);

    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => ada.room!.connection.status === 'reconnecting', 'Ada reconnecting', 15_000);
    for (const body of ['one', 'two', 'three']) await ada.send(body);
    await ada.updateComplete;
    expect(states(ada)).to.deep.equal(['one:pending', 'two:pending', 'three:pending']);
    expect(drawn(ada, 'pending')).to.equal(3);

    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    frame.contentWindow!.location.reload();
    await loaded;
    ada = await ready(frame);
    await waitFor(() => ada.messages.length === 3, 'the queue after the reload', 15_000);
    await ada.updateComplete;
    expect(states(ada)).to.deep.equal(['one:pending', 'two:pending', 'three:pending']);
    expect(drawn(ada, 'pending')).to.equal(3);
    expect(api(frame)!.restCalls.filter((c) => c.startsWith('POST /rest/v1/flock_messages'))).to.deep.equal([]);

    await executeServerCommand('flock-server-restart', { id: server.id });
    frame.contentWindow!.dispatchEvent(new Event('online'));
    await waitFor(() => ada.messages.length === 3 && ada.messages.every((m) => m.state === 'sent'), 'Ada\'s three sent', 20_000);
    const stored = await sql<{ body: string }>('select body from public.flock_messages where room = $1 order by created_at, id', [room]);
    expect(stored.map((r) => r.body)).to.deep.equal(['one', 'two', 'three']);
    expect(api(frame)!.restCalls.filter((c) => c === 'POST /rest/v1/flock_messages')).to.have.length(3);
    // Bo's client is the app's: it reconnects on its own schedule (realtime-js: 1, 2, 5, 10 s).
    await waitFor(() => boChat.messages.length === 3, 'Bo sees them', 40_000);
    expect(boChat.messages.map((m) => m.body)).to.deep.equal(['one', 'two', 'three']);

    // Over the schema's 4000 characters: the database's CHECK refuses it, for good.
    const failures: string[] = [];
    ada.addEventListener('flock-message-failed', (e) => failures.push(e.detail.reason));
    await ada.send('x'.repeat(4001));
    await waitFor(() => ada.messages.at(-1)?.state === 'failed', 'refused', 10_000);
    await ada.updateComplete;
    expect(failures).to.have.length(1);
    expect(failures[0]).to.match(/check constraint/);
    const retry = ada.shadowRoot!.querySelector<HTMLButtonElement>('[data-state="failed"] [part~="retry"]')!;
    expect(ada.shadowRoot!.querySelector('[data-state="failed"] [part~="discard"]')).to.not.equal(null);
    retry.click();
    await waitFor(() => failures.length === 2, 'refused again', 10_000);
    expect(ada.messages.at(-1)!.state).to.equal('failed');
    ada.shadowRoot!.querySelector<HTMLButtonElement>('[data-state="failed"] [part~="discard"]')!.click();
    await waitFor(() => ada.messages.length === 3, 'discarded');
    await waitFor(() => ada.room!.writes.every((w) => w.kind !== 'chat.send'), 'out of the outbox');
    expect((await sql('select 1 from public.flock_messages where room = $1', [room])).length).to.equal(3);
  }).timeout(90_000);
});
