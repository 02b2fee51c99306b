import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { acquireRoom, type RoomLease } from '../../src/connection/connection-registry.js';
import { LOCAL_ANON_KEY } from '../../src/index.js';
import type { FlockRoom } from '../../src/elements/room/room.js';
import type { FlockStatus } from '../../src/elements/status/status.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { waitFor } from '../support/browser-rooms.js';

/**
 * `<flock-status>` on the real connection: the local server stops (the label counts down to the
 * next try), writes wait and are counted, Retry now reconnects at once, refused writes are
 * listed. The room's backoff is set to about a minute so only Retry now explains a quick return.
 */
describe('<flock-status> against the local server', () => {
  let server: { id: string; url: string };
  let lease: RoomLease;
  let host: HTMLElement;

  beforeEach(async () => {
    server = (await executeServerCommand('flock-server-start', {})) as { id: string; url: string };
    lease = acquireRoom({ url: server.url, key: LOCAL_ANON_KEY, room: 'status', backoff: { baseMs: 60_000, capMs: 60_000, random: () => 0.99 } });
  });
  afterEach(async () => {
    host.remove();
    await lease.release();
    await executeServerCommand('flock-server-stop', { id: server.id }).catch(() => undefined);
  });

  it('counts down while the server is away, shows queued and refused writes, and Retry now reconnects at once', async () => {
    host = document.createElement('div');
    host.innerHTML = '<flock-room><flock-status></flock-status></flock-room>';
    (host.firstElementChild as FlockRoom).api = lease.room;
    document.body.append(host);
    const el = host.querySelector<FlockStatus>('flock-status')!;
    const label = () => el.shadowRoot?.querySelector('[part="label"]')?.textContent ?? '';
    await waitFor(() => label().startsWith('Connected'), 'connected', 15_000);

    const refused = crypto.randomUUID();
    await lease.room.write({ key: refused, kind: 'chat.send', label: 'Hi', write: { op: 'create', table: 'flock_messages', values: { id: refused, room: 'status', author_name: 'A', body: 'x', user_id: crypto.randomUUID() } } });

    await executeServerCommand('flock-server-stop', { id: server.id });
    await waitFor(() => /^Reconnecting in \d+ s…$/.test(label()), 'a countdown');
    const first = Number(/\d+/.exec(label())![0]);
    expect(first).to.be.greaterThan(30);
    await waitFor(() => Number(/\d+/.exec(label())?.[0]) < first, 'the countdown moving', 3000);

    const queued = crypto.randomUUID();
    expect((await lease.room.write({ key: queued, kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: queued, room: 'status', author_name: 'A', body: 'later' } } })).state).to.equal('queued');
    window.dispatchEvent(new Event('offline'));
    await waitFor(() => label() === 'Offline · 1 queued', 'offline with the queue');

    el.open = true;
    await el.updateComplete;
    const details = el.shadowRoot!.querySelector('[part="details"]')!;
    expect(details.querySelector('[part="write-error"]')!.textContent).to.match(/^Hi: new row violates row-level security/);
    await expectNoAxeViolations(el);

    await executeServerCommand('flock-server-restart', { id: server.id });
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry"]')!.click();
    await waitFor(() => label().startsWith('Connected'), 'connected at once');
    await waitFor(() => lease.room.connection.queued === 0, 'the queued write sent');
    expect(lease.room.connection.failed).to.equal(1);
  });
});
