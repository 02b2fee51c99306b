import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { blackhole, proxyStats } from '../support/fault-control.js';
import { closeScene, notifyAda, openScene, say, settled } from '../support/fault-scene.js';

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
});
