import { expect } from '@esm-bundle/chai';
import { IdbStore } from '../../src/connection/outbox/idb-store.js';
import { Outbox, type OutboxEntry, type SendOutcome } from '../../src/connection/outbox/outbox.js';

/**
 * The outbox in real IndexedDB, Web Locks and BroadcastChannel. A "reload" or a second tab
 * is a second Outbox opened on the same database, which is what a page load does.
 */

const scope = 'http://127.0.0.1:54321|anon';
const opened: Outbox[] = [];
let dbName = '';

async function open(s = scope): Promise<Outbox> {
  const outbox = await Outbox.open(await IdbStore.open(s, dbName));
  opened.push(outbox);
  return outbox;
}

/** A sender that records what it was asked to send and answers from a script (ok by default). */
function recorder(script: Record<string, SendOutcome> = {}, delayMs = 0) {
  const sent: string[] = [];
  const send = async (entry: OutboxEntry): Promise<SendOutcome> => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    sent.push(entry.key);
    return script[entry.key] ?? { ok: true };
  };
  return { sent, send };
}

describe('outbox', () => {
  beforeEach(() => {
    dbName = `flock-outbox-test-${crypto.randomUUID()}`;
  });
  afterEach(() => {
    for (const outbox of opened.splice(0)) outbox.close();
  });

  it('keeps queued writes across a reload and replays them once, in order', async () => {
    const tab = await open();
    await tab.enqueue('chat.send', 'm1', { body: 'one' });
    await tab.enqueue('chat.send', 'm2', { body: 'two' });
    await tab.enqueue('read.mark', 'r1', { room: 'lobby' });
    tab.close();

    const reloaded = await open();
    expect(reloaded.queued).to.equal(3);
    expect(reloaded.list.map((e) => [e.kind, e.key, e.payload])).to.deep.equal([
      ['chat.send', 'm1', { body: 'one' }],
      ['chat.send', 'm2', { body: 'two' }],
      ['read.mark', 'r1', { room: 'lobby' }],
    ]);
    const { sent, send } = recorder();
    expect(await reloaded.replay(send)).to.deep.equal({ replayed: true, sent: 3, failed: 0, remaining: 0 });
    expect(sent).to.deep.equal(['m1', 'm2', 'r1']);
    expect(await reloaded.replay(send)).to.deep.equal({ replayed: true, sent: 0, failed: 0, remaining: 0 });
    expect(sent).to.have.length(3);
    expect(reloaded.list).to.deep.equal([]);
  });

  it('queues a key once', async () => {
    const tab = await open();
    await tab.enqueue('chat.send', 'm1', { body: 'first' });
    await tab.enqueue('chat.send', 'm1', { body: 'again' });
    expect(tab.list.map((e) => e.payload)).to.deep.equal([{ body: 'first' }]);
  });

  it('keeps a refused write as failed, visible, until it is retried or discarded', async () => {
    const tab = await open();
    await tab.enqueue('chat.send', 'ok1', {});
    await tab.enqueue('chat.send', 'refused', {});
    await tab.enqueue('chat.send', 'ok2', {});
    const script: Record<string, SendOutcome> = { refused: { ok: false, retry: false, reason: 'new row violates row-level security policy' } };
    const first = recorder(script);
    expect(await tab.replay(first.send)).to.deep.equal({ replayed: true, sent: 2, failed: 1, remaining: 0 });
    expect(first.sent).to.deep.equal(['ok1', 'refused', 'ok2']);
    expect(tab.list.map((e) => [e.key, e.state, e.error])).to.deep.equal([['refused', 'failed', 'new row violates row-level security policy']]);
    expect(tab.queued).to.equal(0);

    // Failed writes are not resent on their own.
    const idle = recorder();
    await tab.replay(idle.send);
    expect(idle.sent).to.deep.equal([]);

    await tab.retry('refused');
    expect(tab.list[0]!.state).to.equal('pending');
    const second = recorder();
    await tab.replay(second.send);
    expect(second.sent).to.deep.equal(['refused']);
    expect(tab.list).to.deep.equal([]);

    await tab.enqueue('chat.send', 'doomed', {});
    await tab.replay(recorder({ doomed: { ok: false, retry: false, reason: 'no' } }).send);
    await tab.discard('doomed');
    expect(tab.list).to.deep.equal([]);
  });

  it('stops at a network failure and resumes from the same write, keeping order', async () => {
    const tab = await open();
    for (const key of ['a', 'b', 'c']) await tab.enqueue('chat.send', key, {});
    const offline = recorder({ b: { ok: false, retry: true, reason: 'Failed to fetch' } });
    expect(await tab.replay(offline.send)).to.deep.equal({ replayed: true, sent: 1, failed: 0, remaining: 2 });
    expect(offline.sent).to.deep.equal(['a', 'b']);
    expect(tab.list.map((e) => [e.key, e.attempts])).to.deep.equal([['b', 1], ['c', 0]]);
    const online = recorder();
    await tab.replay(online.send);
    expect(online.sent).to.deep.equal(['b', 'c']);
  });

  it('treats a sender that throws as a network failure', async () => {
    const tab = await open();
    await tab.enqueue('chat.send', 'x', {});
    const result = await tab.replay(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(result).to.deep.equal({ replayed: true, sent: 0, failed: 0, remaining: 1 });
    expect(tab.queued).to.equal(1);
  });

  it('lets only one of two tabs replay, so each write is sent once', async () => {
    const tabA = await open();
    const tabB = await open();
    for (const key of ['w1', 'w2', 'w3']) await tabA.enqueue('chat.send', key, {});
    const a = recorder({}, 20);
    const b = recorder({}, 20);
    const [ra, rb] = await Promise.all([tabA.replay(a.send), tabB.replay(b.send)]);
    expect([...a.sent, ...b.sent].sort()).to.deep.equal(['w1', 'w2', 'w3']);
    expect([ra.replayed, rb.replayed].sort()).to.deep.equal([false, true]);
  });

  it('tells other tabs when the queue changes', async () => {
    const tabA = await open();
    const tabB = await open();
    const seen = new Promise<readonly OutboxEntry[]>((resolve) => tabB.subscribe((entries) => entries.length && resolve(entries)));
    await tabA.enqueue('read.mark', 'r9', { room: 'x' });
    expect((await seen).map((e) => e.key)).to.deep.equal(['r9']);
    expect(tabB.queued).to.equal(1);
  });

  it('keeps projects apart', async () => {
    const one = await open('https://one.supabase.co|k');
    const two = await open('https://two.supabase.co|k');
    await one.enqueue('chat.send', 'only-one', {});
    expect(two.list).to.deep.equal([]);
    const { sent, send } = recorder();
    await two.replay(send);
    expect(sent).to.deep.equal([]);
  });
});
