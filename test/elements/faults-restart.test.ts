import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { closeScene, markAllRead, notifyAda, openScene, say, settled } from '../support/fault-scene.js';
import { restartServer, stopServer } from '../support/server-control.js';

/**
 * The server killed and restarted mid-conversation (same port, same data on disk): what was
 * written before, during (queued in each outbox) and after the outage is stored once and shown
 * once on both sides; Ada's read-all made while the server was down reaches the database.
 */
describe('faults: the server restarts mid-conversation', () => {
  afterEach(closeScene);

  it('loses nothing written before, during or after the outage, and shows each message once', async () => {
    const scene = await openScene({ server: {} });
    const { ada, bo } = scene;
    await say(scene, ada.chat, 'before from Ada');
    await say(scene, bo.chat, 'before from Bo');
    await notifyAda(scene, 'first');
    await settled(scene);
    expect(ada.bell.unread).to.equal(1);

    await stopServer(scene.server.id!);
    await waitFor(() => ada.status.getAttribute('status') === 'reconnecting', 'Ada sees reconnecting', 15_000);
    await say(scene, ada.chat, 'during from Ada 1');
    await say(scene, bo.chat, 'during from Bo');
    await say(scene, ada.chat, 'during from Ada 2');
    await markAllRead(ada.bell);
    await ada.chat.updateComplete;
    const pending = [...ada.chat.shadowRoot!.querySelectorAll('[part~="message"][data-state="pending"]')].length;
    expect(pending).to.equal(2);
    expect(ada.bell.unread).to.equal(0);

    await restartServer(scene.server.id!);
    await waitFor(() => ada.status.getAttribute('status') === 'connected', 'Ada back', 20_000);
    await say(scene, ada.chat, 'after from Ada');
    // The read-all queued during the outage must land first: replayed later, it would also mark
    // a notification that arrived after the click (noticed, reported, left to the bell's owner).
    await waitFor(() => scene.lease.room.writes.length === 0, 'Ada’s outbox drained', 20_000);
    await notifyAda(scene, 'second');
    await settled(scene, 40_000);
    expect(ada.bell.unread).to.equal(1);
  }).timeout(90_000);
});
