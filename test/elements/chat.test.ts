import { expect } from '@esm-bundle/chai';
import { MemoryNetwork } from '../../src/connection/memory/network.js';
import type { MemoryRoom } from '../../src/connection/memory/room.js';
import type { Row } from '../../src/connection/types.js';
import '../../src/index.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { waitFor } from '../support/browser-rooms.js';
import { mountInRoom } from '../support/elements.js';

/**
 * `<flock-chat>` on MemoryRooms: sending by keyboard, pending → sent, refused messages with
 * Retry/Discard, edit and delete by keyboard only, typing (and forged typing), mentions,
 * hostile bodies rendered inertly, the windowed list with 10,000 messages, RTL, and axe.
 */

const hosts: HTMLElement[] = [];
const rooms: MemoryRoom[] = [];
let network: MemoryNetwork;

function row(i: number, extra: Row = {}): Row {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    room: 'chat',
    user_id: 'bo',
    author_name: 'Bo',
    body: `Message ${i}`,
    created_at: new Date(Date.UTC(2026, 10, 1, 9, 0, i)).toISOString(),
    edited_at: null,
    deleted_at: null,
    ...extra,
  };
}

function join(id: string, name: string, extra: Partial<Parameters<MemoryNetwork['join']>[0]> = {}): MemoryRoom {
  const room = network.join({ room: 'chat', user: { id, name }, ...extra });
  rooms.push(room);
  return room;
}

async function mount(room: MemoryRoom, attrs = '', dir: 'ltr' | 'rtl' = 'ltr'): Promise<FlockChat> {
  const chat = await mountInRoom<FlockChat>(room, `<flock-chat ${attrs}></flock-chat>`, 'flock-chat', hosts, dir);
  await waitFor(() => chat.shadowRoot!.querySelector('.state')?.textContent?.includes('Loading') !== true, 'history');
  await chat.updateComplete;
  return chat;
}

const q = <T extends Element = HTMLElement>(chat: FlockChat, selector: string) => chat.shadowRoot!.querySelector<T & HTMLElement>(selector);
const qa = (chat: FlockChat, selector: string) => [...chat.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
const bodies = (chat: FlockChat) => qa(chat, '[part~="message"] [part~="body"]').map((b) => b.textContent);
const input = (chat: FlockChat) => q<HTMLTextAreaElement>(chat, 'textarea[part="input"]')!;

function type(chat: FlockChat, text: string): void {
  const area = input(chat);
  area.focus();
  area.value = text;
  area.setSelectionRange(text.length, text.length);
  area.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
}

function key(target: Element, key: string, init: KeyboardEventInit = {}): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init }));
}

describe('<flock-chat>', () => {
  beforeEach(() => {
    network = new MemoryNetwork();
  });
  afterEach(() => {
    for (const host of hosts.splice(0)) host.remove();
    for (const room of rooms.splice(0)) room.close();
  });

  it('shows the latest page in server order, grouped by author with a day separator, as a log', async () => {
    network.tables.flock_messages.push(row(3), row(1), row(2, { user_id: 'cy', author_name: 'Cy' }));
    const chat = await mount(join('ada', 'Ada'));
    expect(bodies(chat)).to.deep.equal(['Message 1', 'Message 2', 'Message 3']);
    const list = q(chat, '[part="list"]')!;
    expect(list.getAttribute('role')).to.equal('log');
    expect(list.getAttribute('aria-live')).to.equal('polite');
    expect(qa(chat, '[part="day"]')).to.have.length(1);
    // Bo, Cy, Bo: three groups, each with its author.
    expect(qa(chat, '[part="author"]').map((a) => a.textContent)).to.deep.equal(['Bo', 'Cy', 'Bo']);
    expect(input(chat).getAttribute('aria-label')).to.equal('Message');
    await expectNoAxeViolations(chat);
  });

  it('sends with Enter (Shift+Enter is a new line), shows pending then sent, and the other member sees it once', async () => {
    const ada = await mount(join('ada', 'Ada'));
    const bo = await mount(join('bo', 'Bo'));
    const received: string[] = [];
    bo.addEventListener('flock-message', (e) => received.push(e.detail.message.body));
    const sent: string[] = [];
    ada.addEventListener('flock-message-send', (e) => sent.push(e.detail.message.state));
    network.delayMs = 50;
    type(ada, 'line one');
    key(input(ada), 'Enter', { shiftKey: true });
    expect(ada.messages).to.have.length(0);
    type(ada, 'line one\nline two');
    key(input(ada), 'Enter');
    await ada.updateComplete;
    expect(q(ada, '[part~="message"]')!.dataset.state).to.equal('pending');
    expect(input(ada).value).to.equal('');
    await waitFor(() => ada.messages[0]?.state === 'sent', 'sent');
    await waitFor(() => bo.messages.length === 1, 'bo sees it');
    // Every delivery has landed: a second copy would be in by now.
    await network.settled();
    await bo.updateComplete;
    expect(bodies(bo)).to.deep.equal(['line one\nline two']);
    expect(received).to.deep.equal(['line one\nline two']);
    expect(sent).to.deep.equal(['pending']);
    expect(network.tables.flock_messages).to.have.length(1);
  });

  it('keeps a refused message as failed with Retry and Discard, and fires flock-message-failed', async () => {
    const chat = await mount(join('ada', 'Ada'));
    const failures: string[] = [];
    chat.addEventListener('flock-message-failed', (e) => failures.push(e.detail.reason));
    network.refuse(() => 'new row violates check constraint');
    await chat.send('refused');
    await waitFor(() => chat.messages[0]?.state === 'failed', 'failed');
    await chat.updateComplete;
    expect(failures).to.deep.equal(['new row violates check constraint']);
    expect(q(chat, '[part~="state"]')!.textContent).to.contain('new row violates check constraint');
    await expectNoAxeViolations(chat);
    network.refuse(undefined);
    q(chat, '[part~="retry"]')!.click();
    await waitFor(() => chat.messages[0]?.state === 'sent', 'sent on retry');
    network.refuse(() => 'refused again');
    await chat.send('second');
    await waitFor(() => chat.messages.some((m) => m.state === 'failed'), 'failed again');
    await chat.updateComplete;
    q(chat, '[part~="discard"]')!.click();
    await waitFor(() => chat.messages.length === 1, 'discarded');
    expect(room0().writes).to.have.length(0);
    expect(network.tables.flock_messages.map((r) => r.body)).to.deep.equal(['refused']);
  });

  it('edits and deletes your own message by keyboard alone; others see both', async () => {
    const ada = await mount(join('ada', 'Ada'));
    const bo = await mount(join('bo', 'Bo'));
    type(ada, 'frist');
    key(input(ada), 'Enter');
    await waitFor(() => bo.messages[0]?.body === 'frist', 'bo sees it');
    await waitFor(() => ada.messages[0]?.state === 'sent', 'sent');
    // Arrow Up in the empty composer edits the last message.
    key(input(ada), 'ArrowUp');
    await ada.updateComplete;
    await ada.updateComplete;
    const editor = q<HTMLTextAreaElement>(ada, '[part~="edit-input"]')!;
    expect(ada.shadowRoot!.activeElement).to.equal(editor);
    editor.value = 'first';
    key(editor, 'Enter');
    await waitFor(() => bo.messages[0]?.body === 'first' && bo.messages[0]?.editedAt !== null, 'edit reaches bo');
    await bo.updateComplete;
    expect(q(bo, '[part~="state"]')!.textContent).to.equal('edited');
    // Focus went back to the message; Tab order inside it: Edit, Delete.
    await ada.updateComplete;
    const message = q(ada, '[part~="message"]')!;
    expect(ada.shadowRoot!.activeElement).to.equal(message);
    const del = message.querySelector<HTMLButtonElement>('[part~="delete"]')!;
    expect(del.tabIndex).to.equal(0);
    del.focus();
    del.click();
    await ada.updateComplete;
    await ada.updateComplete;
    expect(ada.shadowRoot!.activeElement).to.equal(q(ada, '[part~="cancel"]'));
    q(ada, '[part~="confirm-delete"]')!.click();
    await waitFor(() => bo.messages[0]?.deletedAt !== null, 'delete reaches bo');
    await bo.updateComplete;
    expect(bodies(bo)).to.deep.equal(['Message deleted']);
    expect(network.tables.flock_messages[0]!.body).to.equal('');
    await expectNoAxeViolations(ada);
  });

  it('shows an applied edit at once, before its row comes back (no flicker to the old text)', async () => {
    network.tables.flock_messages.push(row(1, { user_id: 'ada', author_name: 'Ada' }));
    const chat = await mount(join('ada', 'Ada'));
    const id = row(1).id as string;
    const edit = chat.editMessage(id, 'edited text');
    expect(chat.messages[0]!.body).to.equal('edited text');
    expect(chat.messages[0]!.state).to.equal('pending');
    await edit;
    // Sent and gone from the outbox; the row's change has not been delivered yet.
    expect(chat.messages[0]!.body).to.equal('edited text');
    expect(chat.messages[0]!.state).to.equal('sent');
    await waitFor(() => chat.messages[0]!.editedAt === network.tables.flock_messages[0]!.edited_at, 'the server\'s edit time');
  });

  it('refuses an edit of someone else\'s message with a clear notice, and nothing changes', async () => {
    network.tables.flock_messages.push(row(1));
    const chat = await mount(join('ada', 'Ada'));
    await chat.editMessage(row(1).id as string, 'hijacked');
    await waitFor(() => q(chat, '[part="notice"]') !== null, 'notice');
    expect(q(chat, '[part="notice"]')!.textContent).to.contain('You can only change your own messages.');
    expect(bodies(chat)).to.deep.equal(['Message 1']);
    expect(network.tables.flock_messages[0]!.body).to.equal('Message 1');
    await waitFor(() => rooms[0]!.writes.every((w) => w.kind !== 'chat.edit'), 'the refused edit discarded');
    // No edit or delete buttons on others' messages.
    expect(q(chat, '[part~="edit"]')).to.equal(null);
  });

  it('shows who is typing (1, 2, several), stops on send and blur, times out, and drops forged typing', async () => {
    const ada = await mount(join('ada', 'Ada'));
    const bo = join('bo', 'Bo');
    const cy = join('cy', 'Cy');
    const dee = join('dee', 'Dee');
    await waitFor(() => ada.room!.presence.size === 4, 'everyone present');
    const line = () => q(ada, '[part="typing"]')!.textContent;
    await bo.broadcast('typing', { typing: true });
    await waitFor(() => line() === 'Bo is typing…', 'one typist');
    await cy.broadcast('typing', { typing: true });
    await waitFor(() => line() === 'Bo and Cy are typing…', 'two');
    await dee.broadcast('typing', { typing: true });
    await waitFor(() => line() === 'Several people are typing…', 'several');
    await cy.broadcast('typing', { typing: false });
    await dee.broadcast('typing', { typing: false });
    await waitFor(() => line() === 'Bo is typing…', 'back to one');
    // Forged: an id nobody present has, and a malformed payload: dropped and counted.
    const dropped = ada.room!.connection.dropped;
    network.inject('chat', 'typing', { v: 1, id: 'ghost', typing: true });
    network.inject('chat', 'typing', { v: 1, id: 'cy', typing: 'yes' });
    await waitFor(() => ada.room!.connection.dropped === dropped + 2, 'two dropped');
    expect(line()).to.equal('Bo is typing…');
    // Bo's tab goes quiet mid-sentence: he times out.
    await waitFor(() => line() === '', 'timed out', 9000);

    // Ada's own typing: one `typing: true` for a burst of keystrokes, `false` on send.
    const seen: boolean[] = [];
    bo.onBroadcast('typing', (m) => seen.push(m.typing));
    for (let i = 1; i <= 10; i++) type(ada, 'hello'.slice(0, (i % 5) + 1));
    await waitFor(() => seen.length === 1, 'one typing');
    key(input(ada), 'Enter');
    await waitFor(() => seen.length === 2, 'stopped');
    expect(seen).to.deep.equal([true, false]);
    type(ada, 'again');
    await waitFor(() => seen.length === 3, 'typing again');
    input(ada).blur();
    await waitFor(() => seen.length === 4, 'stopped on blur');
    expect(seen).to.deep.equal([true, false, true, false]);
  }).timeout(20000);

  it('suggests people present after @, picks by keyboard, and highlights the mention', async () => {
    const ada = await mount(join('ada', 'Ada'));
    join('bo', 'Bo Diddley');
    join('bea', 'Bea');
    await waitFor(() => ada.room!.presence.size === 3, 'present');
    type(ada, 'hi @b');
    await ada.updateComplete;
    const options = qa(ada, '[role="option"]');
    expect(options.map((o) => o.textContent!.trim()).sort()).to.deep.equal(['Bea', 'Bo Diddley']);
    expect(input(ada).getAttribute('aria-activedescendant')).to.equal('suggestion-0');
    await expectNoAxeViolations(ada);
    const second = options[1]!.textContent!.trim();
    key(input(ada), 'ArrowDown');
    await ada.updateComplete;
    expect(input(ada).getAttribute('aria-activedescendant')).to.equal('suggestion-1');
    key(input(ada), 'Enter');
    await ada.updateComplete;
    expect(input(ada).value).to.equal(`hi @${second.replace(/\s/g, '')} `);
    expect(qa(ada, '[role="option"]')).to.have.length(0);
    key(input(ada), 'Enter');
    await waitFor(() => q(ada, '[part="mention"]') !== null, 'mention drawn');
    expect(q(ada, '[part="mention"]')!.textContent).to.equal(`@${second.replace(/\s/g, '')}`);
  });

  it('renders hostile bodies inertly: no element, no navigation, bidi overrides stripped, zalgo capped, long text cut', async () => {
    const zalgo = 'Z' + '\u0336\u0335\u0334\u0337\u0338\u0321\u0322'.repeat(20);
    network.tables.flock_messages.push(
      row(1, { body: '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>' }),
      row(2, { body: 'click javascript:window.__pwned=3 or https://example.com/ok, fine' }),
      row(3, { body: 'x'.repeat(100_000) }),
      row(4, { body: zalgo }),
      row(5, { body: 'file\u202Etxt.exe and \u202Dthat' }),
      row(6, { user_id: 'mallory', author_name: '<i>Mallory</i>', body: 'hi' }),
    );
    const start = location.href;
    const chat = await mount(join('ada', 'Ada'));
    const list = q(chat, '[part="list"]')!;
    expect(list.querySelectorAll('img, script, b, i, iframe')).to.have.length(0);
    const links = qa(chat, '[part="link"]');
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['https://example.com/ok']);
    expect(links[0]!.getAttribute('rel')).to.equal('noopener noreferrer');
    const texts = bodies(chat);
    expect(texts[0]).to.contain('<script>');
    expect(texts[1]).to.contain('javascript:window.__pwned=3');
    expect(texts[2]!.length).to.equal(4001);
    expect([...texts[3]!.normalize('NFD')].length).to.be.at.most(1 + 4);
    expect(texts[4]).to.equal('filetxt.exe and that');
    expect(qa(chat, '[part="author"]').some((a) => a.textContent === '<i>Mallory</i>')).to.equal(true);
    for (const a of qa(chat, 'a')) expect(a.getAttribute('href')!.startsWith('https://')).to.equal(true);
    await new Promise((r) => setTimeout(r, 100));
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    expect(location.href).to.equal(start);
    // A body the composer can't send: over the limit is refused before it leaves.
    type(chat, 'y'.repeat(4001));
    await chat.updateComplete;
    expect(q<HTMLButtonElement>(chat, '[part="send"]')!.disabled).to.equal(true);
    expect(q(chat, '[part="counter"]')!.textContent).to.equal('1 character too long');
    key(input(chat), 'Enter');
    expect(chat.messages).to.have.length(6);
  });

  it('draws at most a window of 10,000 messages, moves it on scroll keeping the reader\'s place, and jumps back to the latest', async () => {
    for (let i = 1; i <= 10_000; i++) network.tables.flock_messages.push(row(i));
    const chat = await mount(join('ada', 'Ada'), 'page-size="200"');
    await waitFor(() => chat.messages.length >= 200, 'first page');
    const list = q(chat, '[part="list"]')!;
    expect(list.scrollHeight - list.scrollTop - list.clientHeight).to.be.below(2);
    expect(qa(chat, '[part~="message"]').length).to.be.at.most(120);
    // Scroll to the top repeatedly: older pages load, the window moves, the DOM stays small.
    for (let i = 0; i < 40 && chat.messages.length < 1000; i++) {
      const first = qa(chat, '[part~="message"]')[0]!;
      const id = first.dataset.id!;
      list.scrollTop = 0;
      const where = first.getBoundingClientRect().top - list.getBoundingClientRect().top;
      list.dispatchEvent(new Event('scroll'));
      await waitFor(() => qa(chat, '[part~="message"]')[0]?.dataset.id !== id || !chat.messages.length, 'older shown', 5000).catch(() => undefined);
      await chat.updateComplete;
      const same = chat.shadowRoot!.querySelector<HTMLElement>(`[data-id="${id}"]`);
      // The message that was at the top is still in view, where it was, not jumped away.
      expect(same!.getBoundingClientRect().top - list.getBoundingClientRect().top).to.be.closeTo(where, 2);
      expect(qa(chat, '[part~="message"]').length).to.be.at.most(120);
    }
    expect(chat.messages.length).to.be.at.least(1000);
    await chat.updateComplete;
    const jump = q(chat, '[part="jump"]')!;
    expect(jump.textContent).to.equal('Jump to latest');
    jump.click();
    await chat.updateComplete;
    await chat.updateComplete;
    expect(bodies(chat).at(-1)).to.equal('Message 10000');
    expect(list.scrollHeight - list.scrollTop - list.clientHeight).to.be.below(2);
  }).timeout(30000);

  it('counts new messages while scrolled up, with a divider, and a jump button with the count', async () => {
    for (let i = 1; i <= 80; i++) network.tables.flock_messages.push(row(i));
    const ada = await mount(join('ada', 'Ada'));
    const bo = join('bo', 'Bo');
    const list = q(ada, '[part="list"]')!;
    list.scrollTop = 0;
    list.dispatchEvent(new Event('scroll'));
    await ada.updateComplete;
    await bo.write({ key: 'x1', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'x1', room: 'chat', user_id: 'bo', author_name: 'Bo', body: 'new one' } } });
    await bo.write({ key: 'x2', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'x2', room: 'chat', user_id: 'bo', author_name: 'Bo', body: 'new two' } } });
    await waitFor(() => q(ada, '[part="jump"]')?.textContent === '2 new messages', 'count');
    q(ada, '[part="jump"]')!.click();
    await ada.updateComplete;
    await ada.updateComplete;
    expect(q(ada, '[part="unread-divider"]')).to.not.equal(null);
    const rows = qa(ada, '[part="unread-divider"], [part~="message"]');
    const at = rows.findIndex((r) => r.matches('[part="unread-divider"]'));
    expect(rows[at + 1]!.dataset.id).to.equal('x1');
    expect(q(ada, '[part="jump"]')).to.equal(null);
  });

  it('writes the read position and shows "Seen by" on your last message', async () => {
    const ada = await mount(join('ada', 'Ada'));
    const bo = await mount(join('bo', 'Bo'));
    await ada.send('did you see this?');
    await waitFor(() => network.tables.flock_reads.some((r) => r.user_id === 'bo' && r.last_read_message_id === ada.messages[0]?.id), 'bo read it', 5000);
    await waitFor(() => q(ada, '[part="seen-by"]')?.textContent === 'Seen by Bo', 'seen by', 5000);
    expect(q(bo, '[part="seen-by"]')).to.equal(null);
  });

  it('is read-only for visitors and with `readonly`, works from properties, and lays out right to left', async () => {
    const visitor = await mount(join('v', 'Visitor', { user: { id: 'v', name: 'Visitor', kind: 'visitor' } }));
    expect(q(visitor, 'textarea[part="input"]')).to.equal(null);
    expect(q(visitor, '[part="readonly-note"]')!.textContent).to.equal('Sign in to read and write messages.');
    expect(await visitor.send('nope')).to.equal(undefined);
    const ro = await mount(join('ro', 'Ro'), 'readonly');
    expect(q(ro, '[part="readonly-note"]')!.textContent).to.equal('This conversation is read-only.');
    ro.readonly = false;
    ro.placeholder = 'Say something';
    ro.maxLength = 10;
    await ro.updateComplete;
    expect(input(ro).placeholder).to.equal('Say something');
    type(ro, '12345678901');
    await ro.updateComplete;
    expect(q<HTMLButtonElement>(ro, '[part="send"]')!.disabled).to.equal(true);
    network.tables.flock_messages.push(row(1, { body: 'مرحبا بالعالم' }));
    const rtl = await mount(join('r', 'Rania'), '', 'rtl');
    const body = q(rtl, '[part~="body"]')!;
    expect(body.getAttribute('dir')).to.equal('auto');
    const message = q(rtl, '[part~="message"]')!.getBoundingClientRect();
    // The avatar column is on the inline start: the right in RTL.
    expect(q(rtl, '[part="avatar"]')!.getBoundingClientRect().right).to.be.closeTo(message.right - 12, 2);
    await expectNoAxeViolations(rtl);
  });

  it('cleans up: nothing renders or is sent after removal', async () => {
    const ada = await mount(join('ada', 'Ada'));
    const bo = join('bo', 'Bo');
    hosts.splice(0).forEach((h) => h.remove());
    await ada.updateComplete;
    let renders = 0;
    const original = ada.requestUpdate.bind(ada);
    ada.requestUpdate = (...args: Parameters<FlockChat['requestUpdate']>) => {
      renders++;
      original(...args);
    };
    await bo.broadcast('typing', { typing: true });
    await bo.write({ key: 'y', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'y', room: 'chat', user_id: 'bo', author_name: 'Bo', body: 'after' } } });
    await network.settled();
    expect(renders).to.equal(0);
  });
});

function room0(): MemoryRoom {
  return rooms[0]!;
}
