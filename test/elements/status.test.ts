import { expect } from '@esm-bundle/chai';
import { MemoryNetwork } from '../../src/connection/memory/room.js';
import type { MemoryRoom } from '../../src/connection/memory/room.js';
import '../../src/index.js';
import type { FlockStatus } from '../../src/elements/status/status.js';
import { setFlockMessages, MESSAGES } from '../../src/i18n/messages.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { waitFor } from '../support/browser-rooms.js';
import { mountInRoom } from '../support/elements.js';

/**
 * `<flock-status>` on a MemoryRoom: every state's label, accessible name and shape, the details
 * with Retry now and refused writes, keyboard use, events, translation, and axe in each state.
 */

const hosts: HTMLElement[] = [];
let network: MemoryNetwork;
let room: MemoryRoom;

function mount(attrs = ''): Promise<FlockStatus> {
  return mountInRoom<FlockStatus>(room, `<flock-status ${attrs}></flock-status>`, 'flock-status', hosts);
}

const part = (el: FlockStatus, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const buttonName = (el: FlockStatus) => part(el, 'button').getAttribute('aria-label');

describe('<flock-status>', () => {
  beforeEach(() => {
    network = new MemoryNetwork();
    room = network.join({ room: 'status', user: { name: 'Ada' } });
  });
  afterEach(() => {
    for (const host of hosts.splice(0)) host.remove();
    room.close();
    setFlockMessages(MESSAGES, 'en');
  });

  it('labels each state with text and a state attribute, never colour alone, and passes axe in each', async () => {
    const el = await mount();
    const cases: [Partial<MemoryRoom['connection']>, string, string][] = [
      [{ status: 'connecting', latency: undefined }, 'Connecting…', 'Connection: Connecting…'],
      [{ status: 'connected', latency: 42 }, 'Connected · 42 ms', 'Connection: Connected · 42 ms, excellent quality'],
      [{ status: 'connected', latency: 640 }, 'Connected · 640 ms', 'Connection: Connected · 640 ms, fair quality'],
      [{ status: 'reconnecting', nextRetryAt: undefined }, 'Reconnecting…', 'Connection: Reconnecting…'],
      // A getter, so the retry is 3.5 s from when it is scripted, however long the cases before took.
      [{ status: 'reconnecting', get nextRetryAt() { return Date.now() + 3_500; } }, 'Reconnecting in 4 s…', 'Connection: Reconnecting in 4 s…'],
      [{ status: 'offline', queued: 3, nextRetryAt: undefined }, 'Offline · 3 queued', 'Connection: Offline · 3 queued'],
    ];
    for (const [connection, label, name] of cases) {
      room.script(connection);
      await el.updateComplete;
      expect(part(el, 'label').textContent).to.equal(label);
      expect(buttonName(el)).to.equal(name);
      expect(el.getAttribute('status')).to.equal(connection.status);
      await expectNoAxeViolations(el);
    }
  });

  it('counts the next try down each second', async () => {
    const el = await mount();
    room.script({ status: 'reconnecting', attempt: 2, nextRetryAt: Date.now() + 2_500 });
    await el.updateComplete;
    expect(part(el, 'label').textContent).to.equal('Reconnecting in 3 s…');
    await waitFor(() => part(el, 'label').textContent === 'Reconnecting in 2 s…', 'the countdown', 3000);
  });

  it('opens its details with Enter, moves focus in, closes with Escape and returns focus', async () => {
    const el = await mount();
    room.script({ status: 'reconnecting', attempt: 3, nextRetryAt: Date.now() + 8_000, dropped: 2 });
    part(el, 'button').focus();
    part(el, 'button').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    part(el, 'button').click(); // a button's Enter is its click
    await el.updateComplete;
    expect(part(el, 'button').getAttribute('aria-expanded')).to.equal('true');
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'details'));
    const text = part(el, 'details').textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Reconnect attempt 3').and.contain('Dropped messages 2').and.contain('Retry now');
    await expectNoAxeViolations(el);
    part(el, 'details').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await el.updateComplete;
    expect(el.open).to.equal(false);
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'button'));
  });

  it('does not re-render closed for a figure only its details show, and opens on the current figures', async () => {
    const el = await mount();
    room.script({ status: 'connected', latency: 40, dropped: 0 });
    await el.updateComplete;
    room.script({ dropped: 5 });
    expect(el.isUpdatePending, 'closed: a dropped message changes nothing it shows').to.equal(false);
    room.script({ latency: 90 });
    expect(el.isUpdatePending, 'closed: the latency is in its label').to.equal(true);
    await el.updateComplete;
    expect(part(el, 'label').textContent).to.equal('Connected · 90 ms');
    room.script({ dropped: 7 });
    el.open = true;
    await el.updateComplete;
    const details = () => part(el, 'details').textContent!.replace(/\s+/g, ' ');
    expect(details()).to.contain('Dropped messages 7');
    room.script({ dropped: 8 });
    expect(el.isUpdatePending, 'open: the details show it').to.equal(true);
    await el.updateComplete;
    expect(details()).to.contain('Dropped messages 8');
  });

  it('retries now from the details', async () => {
    const el = await mount();
    room.script({ status: 'reconnecting', attempt: 1, nextRetryAt: Date.now() + 20_000 });
    el.open = true;
    await el.updateComplete;
    part(el, 'retry').click();
    await waitFor(() => room.connection.status === 'connected', 'connected');
    await el.updateComplete;
    expect(part(el, 'label').textContent).to.match(/^Connected/);
  });

  it('lists refused writes with the server’s reason, each retryable and discardable', async () => {
    network.refuse(() => 'new row violates row-level security policy for table "flock_messages"');
    await room.write({ key: 'w1', kind: 'chat.send', label: '<img src=x onerror=alert(1)>', write: { op: 'create', table: 'flock_messages', values: { id: 'w1' } } });
    const el = await mount();
    el.open = true;
    await el.updateComplete;
    const items = el.shadowRoot!.querySelectorAll('[part="write"]');
    expect(items).to.have.length(1);
    expect(part(el, 'write-error').textContent).to.equal('<img src=x onerror=alert(1)>: new row violates row-level security policy for table "flock_messages"');
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    network.refuse(undefined);
    part(el, 'retry-write').click();
    await waitFor(() => room.writes.length === 0, 'retried and sent');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[part="write"]')).to.have.length(0);

    network.refuse(() => 'refused');
    await room.write({ key: 'w2', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'w2' } } });
    await el.updateComplete;
    part(el, 'discard-write').click();
    await waitFor(() => room.writes.length === 0, 'discarded');
  });

  it('announces status changes politely but not latency changes, and re-fires flock-status-change', async () => {
    const el = await mount();
    const fired: string[] = [];
    el.addEventListener('flock-status-change', (e) => fired.push(`${e.detail.state.status}/${e.detail.state.quality}`));
    const live = el.shadowRoot!.querySelector('[role="status"]')!;
    room.script({ latency: 50 });
    await el.updateComplete;
    room.script({ latency: 60 });
    await el.updateComplete;
    expect(live.textContent).to.equal('');
    room.script({ status: 'reconnecting' });
    await el.updateComplete;
    expect(live.textContent).to.equal('Connection Reconnecting…');
    expect(fired).to.deep.equal(['reconnecting/excellent']);
  });

  it('hides while connected with hide-when-connected, and shows again with writes waiting or when not connected', async () => {
    const el = await mount('hide-when-connected');
    expect(getComputedStyle(el).display).to.equal('none');
    room.script({ status: 'offline' });
    await el.updateComplete;
    expect(getComputedStyle(el).display).to.not.equal('none');
  });

  it('keeps the label for the accessible name and tooltip when compact', async () => {
    const el = await mount('compact');
    room.script({ status: 'connected', latency: 30 });
    await el.updateComplete;
    expect(part(el, 'label').getBoundingClientRect().width).to.be.lessThan(2);
    expect(part(el, 'button').title).to.equal('Connection: Connected · 30 ms, excellent quality');
    await expectNoAxeViolations(el);
  });

  it('speaks the page’s language through the message table, and lays out right to left', async () => {
    setFlockMessages({ 'status.offline': 'غير متصل', 'status.name': 'الاتصال: {label}' }, 'ar');
    const host = document.createElement('div');
    host.dir = 'rtl';
    document.body.append(host);
    hosts.push(host);
    const el = await mount();
    host.append(el.closest('flock-room')!);
    room.script({ status: 'offline', queued: 0 });
    await el.updateComplete;
    expect(part(el, 'label').textContent).to.equal('غير متصل');
    expect(buttonName(el)).to.equal('الاتصال: غير متصل');
    el.open = true;
    await el.updateComplete;
    const button = part(el, 'button').getBoundingClientRect();
    const details = part(el, 'details').getBoundingClientRect();
    expect(Math.abs(details.right - button.right)).to.be.lessThan(2);
  });

  it('stops its countdown and listeners when removed', async () => {
    const el = await mount();
    room.script({ status: 'reconnecting', nextRetryAt: Date.now() + 5000 });
    await el.updateComplete;
    el.remove();
    let renders = 0;
    const original = el.requestUpdate.bind(el);
    el.requestUpdate = (...args: Parameters<typeof original>) => {
      renders++;
      original(...args);
    };
    room.script({ status: 'offline' });
    await new Promise((r) => setTimeout(r, 1200));
    expect(renders).to.equal(0);
  });
});
