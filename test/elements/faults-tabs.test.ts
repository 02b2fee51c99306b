import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import '../../src/index.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient, unmountAll } from '../support/elements.js';
import { dropConnections, refuseConnections, startFaultProxy } from '../support/fault-control.js';
import { avatarNames, renderedRows } from '../support/fault-scene.js';
import type { FlockFrame } from '../support/frame-app.js';
import { localServerUrl } from '../support/local-server-url.js';
import { runSql, stopProxy, type TestProxy } from '../support/server-control.js';

/**
 * Two tabs of one user (two pages of their own, in iframes, sharing storage and so the user and
 * the outbox) lose the network together (every connection reset, new ones refused), each writes
 * while offline, and both come back online at the same moment. Each write lands exactly once
 * (one tab replays the shared outbox, the other must not send it again), both tabs and Bo show
 * every message once, and Bo sees one Ada however many tabs she has.
 */
describe('faults: two tabs with an outbox come back online together', () => {
  const hosts: HTMLElement[] = [];
  const clients: SupabaseClient[] = [];
  const frames: HTMLIFrameElement[] = [];
  let proxy: TestProxy | undefined;

  afterEach(async () => {
    for (const frame of frames.splice(0)) frame.remove();
    await unmountAll(hosts, clients);
    if (proxy) await stopProxy(proxy.proxyId);
    proxy = undefined;
  });

  it('lands each write exactly once', async () => {
    const url = await localServerUrl();
    proxy = await startFaultProxy(undefined);
    const room = `faults-tabs-${crypto.randomUUID()}`;
    const rejections: string[] = [];
    const open = async () => {
      const frame = document.createElement('iframe');
      frame.src = `/test/support/frame.html?url=${encodeURIComponent(proxy!.url)}&room=${encodeURIComponent(room)}&chat=1&name=Ada`;
      document.body.append(frame);
      frames.push(frame);
      await waitFor(() => !!frame.contentDocument?.querySelector<FlockChat>('flock-chat')?.room?.user, 'a tab ready', 20_000);
      frame.contentWindow!.addEventListener('unhandledrejection', (e) => rejections.push(String(e.reason)));
      return { frame, chat: frame.contentDocument!.querySelector<FlockChat>('flock-chat')!, api: (frame.contentWindow as unknown as { flockFrame: FlockFrame }).flockFrame };
    };
    // One after the other: the second finds the first one's session (one user, not two).
    const tab1 = await open();
    const tab2 = await open();
    expect(tab1.chat.room!.user!.id === tab2.chat.room!.user!.id, 'one user in both tabs').to.equal(true);
    const bo = await appClient(url, 'Bo');
    clients.push(bo);
    const boRoom = mountWithClient(bo, room, '<flock-avatars></flock-avatars><flock-chat></flock-chat>', hosts);
    const boChat = boRoom.querySelector<FlockChat>('flock-chat')!;
    const boAvatars = boRoom.querySelector('flock-avatars')! as Parameters<typeof avatarNames>[0];
    const connected = (chat: FlockChat) => chat.room?.connection.status === 'connected';
    await waitFor(() => connected(tab1.chat) && connected(tab2.chat) && connected(boChat), 'all connected', 20_000);
    await waitFor(() => avatarNames(boAvatars).length === 2, 'Bo sees Ada once', 15_000);

    await refuseConnections(proxy.proxyId, true);
    await dropConnections(proxy.proxyId, 'reset');
    await waitFor(() => !connected(tab1.chat) && !connected(tab2.chat), 'both tabs offline', 15_000);
    const sent = ['tab one: first', 'tab two: first', 'tab one: second', 'tab two: second'];
    for (const body of sent) void (body.startsWith('tab one') ? tab1 : tab2).chat.send(body);
    await waitFor(() => tab1.chat.messages.length === 2 && tab2.chat.messages.length === 2, 'pending in each tab');

    await refuseConnections(proxy.proxyId, false);
    for (const tab of [tab1, tab2]) tab.frame.contentWindow!.dispatchEvent(new Event('online'));

    const stored = async () => (await runSql<{ id: string; body: string }>('select id, body from public.flock_messages where room = $1 order by created_at, id', { params: [room] }));
    let rows: { id: string; body: string }[] = [];
    const deadline = Date.now() + 40_000;
    const rowsOf = () => rows.map((r) => `${r.id}:sent`);
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    for (;;) {
      rows = await stored();
      if ((rows.length === sent.length && [tab1.chat, tab2.chat, boChat].every((c) => same(renderedRows(c), rowsOf()))) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(rows.map((r) => r.body).sort(), 'each write stored once').to.deep.equal([...sent].sort());
    expect(renderedRows(tab1.chat), 'tab one shows each once').to.deep.equal(rowsOf());
    expect(renderedRows(tab2.chat), 'tab two shows each once').to.deep.equal(rowsOf());
    expect(renderedRows(boChat), 'Bo shows each once').to.deep.equal(rowsOf());
    await waitFor(() => avatarNames(boAvatars).length === 2, 'Bo sees Ada once', 15_000);
    expect(avatarNames(boAvatars).sort()).to.deep.equal(['Ada, active', 'Bo (you), active']);
    const posts = [...tab1.api.restCalls, ...tab2.api.restCalls].filter((c) => c === 'POST /rest/v1/flock_messages');
    // Sends are idempotent, so a resend would be harmless; still, the outbox's lock means one each.
    expect(posts.length, 'one POST per write').to.equal(sent.length);
    expect(rejections).to.deep.equal([]);
  }).timeout(120_000);
});
