import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { blackhole, proxyStats } from '../support/fault-control.js';
import { badge, closeScene, notifyAda, openScene, say, settled } from '../support/fault-scene.js';

/**
 * A half-open link: the proxy black-holes Ada's connections (no data, no close, either way), the
 * case only heartbeats reveal. Ada's client beats every 1.5 s, so the loss must show within two
 * intervals (plus a margin for timers under load). A reconnect attempt made while the hole is
 * still there is swallowed too; once the network answers again she is back, and what both wrote
 * meanwhile is stored and shown once.
 */
const HEARTBEAT_MS = 1500;

describe('faults: a half-open connection', () => {
  afterEach(closeScene);

  it('is noticed within two heartbeat intervals and recovered, even after a reconnect attempt went into the hole', async () => {
    const scene = await openScene({ heartbeatMs: HEARTBEAT_MS });
    const { ada, bo, proxy } = scene;
    await say(scene, ada.chat, 'before the hole');
    await settled(scene);

    await blackhole(proxy.proxyId, true);
    await waitFor(() => ada.status.getAttribute('status') !== 'connected', 'the loss noticed', 2 * HEARTBEAT_MS + 1000);
    expect(ada.status.getAttribute('status')).to.equal('reconnecting');
    await say(scene, ada.chat, 'written into the hole');
    await say(scene, bo.chat, 'Bo meanwhile');
    await notifyAda(scene, 'while away');
    // A reconnect attempt made while the link is still dead: accepted and never answered.
    for (let i = 0; (await proxyStats(proxy.proxyId)).swallowed === 0; i++) {
      if (i > 100) throw new Error('no reconnect attempt reached the proxy');
      await new Promise((r) => setTimeout(r, 200));
    }

    await blackhole(proxy.proxyId, false);
    await waitFor(() => ada.status.getAttribute('status') === 'connected', 'Ada back', 20_000);
    await settled(scene, 30_000);
  }).timeout(90_000);

  it('shows a notification sent during the outage, though the refetch first went out on a dead keep-alive connection', async () => {
    const scene = await openScene({ heartbeatMs: HEARTBEAT_MS });
    const { ada, proxy, lease } = scene;
    await settled(scene);
    // Several reads at once leave as many HTTP keep-alive connections in the browser's pool; the
    // hole makes them dead without a close, so the refetch after the reconnect is sent on them.
    const count = () => lease.room.rows({ table: 'flock_notifications', where: [{ column: 'user_id', op: 'eq', value: ada.id }], head: true, count: true });
    await Promise.all(Array.from({ length: 4 }, count));

    await blackhole(proxy.proxyId, true);
    await waitFor(() => ada.status.getAttribute('status') !== 'connected', 'the loss noticed', 2 * HEARTBEAT_MS + 1000);
    await notifyAda(scene, 'while away');
    await blackhole(proxy.proxyId, false);

    await waitFor(() => ada.status.getAttribute('status') === 'connected', 'Ada back', 20_000);
    await waitFor(() => badge(ada.bell) === '1', 'the notification counted', 40_000);
    await settled(scene, 30_000);
  }).timeout(120_000);
});
