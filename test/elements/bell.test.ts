import { expect } from '@esm-bundle/chai';
import { MemoryNetwork } from '../../src/connection/memory/network.js';
import type { MemoryRoom } from '../../src/connection/memory/room.js';
import '../../src/index.js';
import type { FlockBell } from '../../src/elements/bell/bell.js';
import type { Row } from '../../src/connection/types.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { waitFor } from '../support/browser-rooms.js';
import { mountInRoom } from '../support/elements.js';

/**
 * `<flock-bell>` on MemoryRooms: the popover pattern by keyboard, the badge cap and dot, hostile
 * content, refused actions rolled back visibly, the cancelable click, states, and axe.
 */

const hosts: HTMLElement[] = [];
let network: MemoryNetwork;
let room: MemoryRoom;

function note(i: number, extra: Row = {}): Row {
  return { id: `n${i}`, user_id: 'me', kind: 'info', title: `Notification ${i}`, body: `Body ${i}`, url: null, actor_name: 'Bo', created_at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), read_at: null, ...extra };
}

function mount(rows: Row[], attrs = ''): Promise<FlockBell> {
  network = new MemoryNetwork();
  network.tables.flock_notifications.push(...rows);
  room = network.join({ room: 'bell', user: { id: 'me', name: 'Ada' } });
  return mountInRoom<FlockBell>(room, `<flock-bell ${attrs}></flock-bell>`, 'flock-bell', hosts);
}

/**
 * Starts a reload of the bell's inbox whose reads are answered only on `release()` (which then
 * waits for the reload): a page is read at once and held; a count too, unless
 * `countAfterRelease`, when it is read only after the release, so it sees what came meanwhile.
 */
async function heldReload(bell: FlockBell, { countAfterRelease = false } = {}): Promise<{ release(): Promise<void> }> {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const read = room.rows.bind(room);
  room.rows = async (query) => {
    if (countAfterRelease && query.count) {
      await answered;
      return read(query);
    }
    const result = await read(query);
    await answered;
    return result;
  };
  const reloading = (bell as unknown as { inbox: { list: { reload(): Promise<void> } } }).inbox.list.reload();
  await new Promise((r) => setTimeout(r, 20));
  return {
    release: () => {
      answer();
      return reloading;
    },
  };
}

const part = (bell: FlockBell, name: string) => bell.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

describe('<flock-bell>', () => {
  afterEach(() => {
    for (const host of hosts.splice(0)) host.remove();
    room.close();
  });

  it('opens by keyboard, moves focus into the panel, closes with Escape and gives focus back; axe passes open and closed', async () => {
    const bell = await mount([note(1), note(2, { read_at: '2026-11-02T00:00:00Z' })]);
    await waitFor(() => bell.unread === 1, 'loaded');
    await bell.updateComplete;
    expect(part(bell, 'badge')!.dataset.count).to.equal('1');
    const button = part(bell, 'button') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).to.equal('Notifications, 1 unread');
    await expectNoAxeViolations(bell);
    button.focus();
    button.click(); // Enter on a focused button is a click
    await bell.updateComplete;
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(bell.shadowRoot!.activeElement).to.equal(part(bell, 'panel'));
    expect(bell.shadowRoot!.querySelectorAll('[part~="item"]')).to.have.length(2);
    await expectNoAxeViolations(bell);
    part(bell, 'panel')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await bell.updateComplete;
    expect(bell.open).to.equal(false);
    expect(bell.shadowRoot!.activeElement).to.equal(button);
  });

  it('caps the badge at 99+, hides it at 0, and shows a dot in dot mode', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => note(i));
    const bell = await mount(rows);
    await waitFor(() => bell.unread === 150, 'all counted');
    await bell.updateComplete;
    expect(part(bell, 'badge')!.dataset.count).to.equal('99+');
    bell.dot = true;
    await bell.updateComplete;
    expect(part(bell, 'badge')!.dataset.count).to.equal('');
    expect(bell.getAttribute('dot')).to.equal('');
    bell.open = true;
    await bell.updateComplete;
    (part(bell, 'mark-all') as HTMLButtonElement).click();
    await waitFor(() => !part(bell, 'badge'), 'no badge at 0');
  });

  it('renders hostile content inert: HTML as text, only safe URLs as links, long titles cut', async () => {
    const bell = await mount([
      note(1, { title: '<img src=x onerror="window.__bell=1">Hi', body: '<script>window.__bell=1</script>', url: 'javascript:window.__bell=1' }),
      note(2, { title: 'Data', url: 'data:text/html,<script>alert(1)</script>' }),
      note(3, { title: 'x'.repeat(10_000), url: '/docs/42' }),
      note(4, { title: 'Out', url: 'https://example.com/a' }),
    ]);
    bell.open = true;
    await waitFor(() => bell.shadowRoot!.querySelectorAll('[part~="item"]').length === 4, 'four items');
    expect(bell.shadowRoot!.querySelectorAll('img, script')).to.have.length(0);
    expect((window as unknown as { __bell?: number }).__bell).to.equal(undefined);
    const links = [...bell.shadowRoot!.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links.sort()).to.deep.equal(['/docs/42', 'https://example.com/a']);
    const titles = [...bell.shadowRoot!.querySelectorAll('[part="title"]')].map((t) => t.textContent!.length);
    expect(Math.max(...titles)).to.be.at.most(200);
    await expectNoAxeViolations(bell);
  });

  it('keeps a notification that arrived while a reload was reading, though its page predates it', async () => {
    const bell = await mount([note(1)]);
    await waitFor(() => bell.notifications.length === 1, 'the first page');
    // The next page is read now and answered later: what arrives in between is not in it.
    const reload = await heldReload(bell);
    network.apply({ op: 'create', table: 'flock_notifications', values: note(2) }, room.user!);
    await waitFor(() => bell.notifications.length === 2, 'the arrival, live');
    await reload.release();
    expect(bell.notifications.map((n) => n.id)).to.deep.equal(['n2', 'n1']);
    // The count read with that page predates the arrival as well; a fresh one follows.
    await waitFor(() => bell.unread === 2, 'the unread count from the server', 5000);
  });

  it('marks read everything the badge counted, though the list held fewer', async () => {
    const bell = await mount([note(1)]);
    await waitFor(() => bell.notifications.length === 1, 'the first page');
    // A reload whose page is read before n2 is stored and whose count after it, with no live
    // change for n2 (as before a channel has joined): the badge says 2, the list holds n1.
    const reload = await heldReload(bell, { countAfterRelease: true });
    network.tables.flock_notifications.push(note(2));
    await reload.release();
    expect(bell.notifications.map((n) => n.id)).to.deep.equal(['n1']);
    expect(bell.unread).to.equal(2);

    await (bell as unknown as { inbox: { markAllRead(): Promise<void> } }).inbox.markAllRead();
    await waitFor(() => room.writes.length === 0, 'the write sent');
    expect(network.tables.flock_notifications.map((n) => [n.id, n.read_at !== null])).to.deep.equal([
      ['n1', true],
      ['n2', true],
    ]);
  });

  it('rolls a refused action back, visibly', async () => {
    const bell = await mount([note(1)]);
    await waitFor(() => bell.unread === 1, 'loaded');
    network.refuse(() => 'permission denied for table flock_notifications');
    bell.open = true;
    await bell.updateComplete;
    (part(bell, 'toggle-read') as HTMLButtonElement).click();
    await waitFor(() => !!bell.shadowRoot!.querySelector('[role="alert"]'), 'the notice');
    expect(bell.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('permission denied');
    expect(bell.unread).to.equal(1);
    expect(bell.notifications[0]!.readAt).to.equal(null);
    expect(room.writes).to.have.length(0);
  });

  it('lets the app route a notification click, and marks it read', async () => {
    const bell = await mount([note(1, { url: '/inbox/1' })]);
    bell.open = true;
    await waitFor(() => !!bell.shadowRoot!.querySelector('a'), 'a link');
    bell.addEventListener('flock-notification-click', (e) => e.preventDefault());
    const before = location.href;
    bell.shadowRoot!.querySelector('a')!.click();
    expect(location.href).to.equal(before);
    await waitFor(() => bell.unread === 0, 'read');
  });

  it('shows loading, error with Try again, and empty states', async () => {
    network = new MemoryNetwork();
    network.delayMs = 300;
    room = network.join({ room: 'bell', user: { id: 'me', name: 'Ada' } });
    network.failNext(2, 'Failed to fetch');
    const bell = await mountInRoom<FlockBell>(room, '<flock-bell open></flock-bell>', 'flock-bell', hosts);
    expect(part(bell, 'panel')!.textContent).to.contain('Loading notifications');
    await waitFor(() => part(bell, 'panel')!.textContent!.includes('could not be loaded'), 'the error state').catch((e: Error) => {
      throw new Error(`${e.message}; the panel says: ${part(bell, 'panel')!.textContent!.replace(/\s+/g, ' ')}`);
    });
    network.delayMs = 0;
    (part(bell, 'retry') as HTMLButtonElement).click();
    await waitFor(() => part(bell, 'panel')!.textContent!.includes('No notifications'), 'the empty state');
    await expectNoAxeViolations(bell);
  });

  it('announces a new notification, pulses, fires flock-notification and shows a toast', async () => {
    const bell = await mount([], 'toast');
    await waitFor(() => bell.shadowRoot!.querySelector('[part="button"]') !== null && bell.unread === 0, 'ready');
    const seen: string[] = [];
    bell.addEventListener('flock-notification', (e) => seen.push(e.detail.notification.title));
    await network.settled();
    network.apply({ op: 'create', table: 'flock_notifications', values: note(9, { title: 'Hello' }) }, { id: 'me', name: 'Ada', color: '#000000', kind: 'anonymous' });
    await waitFor(() => seen.length === 1, 'the event');
    await bell.updateComplete;
    expect(bell.hasAttribute('pulsing')).to.equal(true);
    expect(part(bell, 'toast')!.textContent).to.equal('Hello');
    expect(bell.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('New notification: Hello');
    expect(part(bell, 'badge')!.dataset.count).to.equal('1');
  });
});
