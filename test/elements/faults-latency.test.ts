import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { shapeLink } from '../support/fault-control.js';
import { badge, closeScene, markAllRead, notifyAda, openScene, say, settled } from '../support/fault-scene.js';

/**
 * 30 s of a very slow link: every chunk to and from Ada's page waits 1000 ms (plus up to 100 ms
 * of jitter), so a round trip is over two seconds. Nothing may break: she stays connected, the
 * status says the quality is poor, messages both ways and notifications arrive, her read-all
 * lands, and nothing shows twice. Her client beats every 5 s (a round trip must fit in one
 * interval), so the figure moves within the window; afterwards it recovers.
 */
const WINDOW_MS = 30_000;

describe('faults: 30 s of 1000 ms latency', () => {
  afterEach(closeScene);

  it('keeps working, shows poor quality, and duplicates nothing', async () => {
    const scene = await openScene({ heartbeatMs: 5000 });
    const { ada, bo, proxy, lease } = scene;
    await settled(scene);
    const statuses = new Set<string>();
    const onStatus = () => statuses.add(lease.room.connection.status);
    lease.room.addEventListener('status', onStatus);

    await shapeLink(proxy.proxyId, { latencyMs: 1000, jitterMs: 100 });
    const started = Date.now();
    await say(scene, ada.chat, 'slow hello from Ada');
    await say(scene, bo.chat, 'Bo answers quickly');
    await notifyAda(scene, 'slow one');
    await waitFor(() => badge(ada.bell) === '1', 'the notification arrives', 15_000);
    await say(scene, ada.chat, 'Ada again');
    await markAllRead(ada.bell);
    await waitFor(() => ada.status.getAttribute('quality') === 'poor', 'poor quality shown', 25_000);
    expect(ada.status.getAttribute('status')).to.equal('connected');
    await notifyAda(scene, 'slow two');
    await settled(scene, WINDOW_MS);
    expect(ada.status.getAttribute('quality')).to.equal('poor');
    // The window is the scenario's length, not a measurement.
    await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_MS - (Date.now() - started))));
    lease.room.removeEventListener('status', onStatus);
    expect([...statuses], 'never lost the connection').to.deep.equal(['connected']);

    await shapeLink(proxy.proxyId, { latencyMs: 0, jitterMs: 0 });
    await say(scene, bo.chat, 'fast again');
    await waitFor(() => ['excellent', 'good', 'fair'].includes(ada.status.getAttribute('quality') ?? ''), 'quality recovering', 20_000);
    await settled(scene);
  }).timeout(120_000);
});
