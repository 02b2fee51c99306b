import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { dropConnections, refuseConnections } from '../support/fault-control.js';
import { badge, closeScene, markAllRead, notifyAda, openScene, settled } from '../support/fault-scene.js';
import { runSql } from '../support/server-control.js';

/**
 * "Mark all read" clicked offline waits in the outbox and is sent after the reconnect. It marks
 * what Ada was shown when she clicked, not whatever is unread by the time it is sent: a
 * notification that arrived in between stays unread, in the database and on the badge.
 */
describe('<flock-bell> mark all read, clicked offline', () => {
  afterEach(closeScene);

  it('leaves a notification that arrived after the click unread when the click is sent later', async () => {
    const scene = await openScene();
    const { ada, proxy, lease } = scene;
    await notifyAda(scene, 'one');
    await notifyAda(scene, 'two');
    await waitFor(() => badge(ada.bell) === '2', 'two unread', 10_000);

    // Ada's link goes down: nothing reaches the server, REST or socket.
    await refuseConnections(proxy.proxyId, true);
    await dropConnections(proxy.proxyId, 'reset');
    await waitFor(() => ada.status.getAttribute('status') !== 'connected', 'Ada offline', 10_000);
    await markAllRead(ada.bell);
    expect(badge(ada.bell), 'shown read at once').to.equal('');
    await waitFor(() => lease.room.writes.some((w) => w.kind === 'notification.read-all' && w.state === 'pending'), 'the click queued', 10_000);

    // A notification arrives after the click, before the click reaches the server.
    await notifyAda(scene, 'three');
    const readState = () =>
      runSql<{ title: string; read: boolean }>('select title, read_at is not null as read from public.flock_notifications where user_id = $1 order by created_at, id', {
        id: scene.server.id,
        params: [ada.id],
      });
    expect(await readState(), 'nothing sent while offline').to.deep.equal([
      { title: 'one', read: false },
      { title: 'two', read: false },
      { title: 'three', read: false },
    ]);

    await refuseConnections(proxy.proxyId, false);
    await waitFor(() => ada.status.getAttribute('status') === 'connected', 'Ada back', 30_000);
    await waitFor(() => lease.room.writes.every((w) => w.kind !== 'notification.read-all'), 'the click sent', 20_000);
    expect(await readState(), 'only what was shown is read').to.deep.equal([
      { title: 'one', read: true },
      { title: 'two', read: true },
      { title: 'three', read: false },
    ]);
    await waitFor(() => badge(ada.bell) === '1', 'the badge shows the one that came later', 10_000);
    await settled(scene);
  }).timeout(90_000);
});
