import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { dropConnections, proxyStats, refuseConnections } from '../support/fault-control.js';
import { closeScene, notifyAda, openScene, say, settled } from '../support/fault-scene.js';

/**
 * A flapping network for a minute: every 2 s Ada's link goes down (every open connection
 * reset, new ones refused) or comes back. Both keep writing and notifications keep coming;
 * when it calms down, every message is stored and shown exactly once on both sides, the badge
 * matches the database and each sees the other.
 */
const PERIOD_MS = 2000;
const CYCLES = 15;

describe('faults: a flapping network', () => {
  afterEach(closeScene);

  it('loses and duplicates nothing through a minute of 2 s up, 2 s down', async () => {
    const scene = await openScene();
    const { ada, bo, proxy } = scene;
    await settled(scene);
    const pause = () => new Promise((r) => setTimeout(r, PERIOD_MS));

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await refuseConnections(proxy.proxyId, true);
      await dropConnections(proxy.proxyId, 'reset');
      await say(scene, ada.chat, `down ${cycle}`);
      if (cycle % 3 === 0) await say(scene, bo.chat, `Bo ${cycle}`);
      if (cycle % 5 === 0) await notifyAda(scene, `flap ${cycle}`);
      await pause();
      await refuseConnections(proxy.proxyId, false);
      if (cycle % 2 === 0) await say(scene, ada.chat, `up ${cycle}`);
      await pause();
    }
    const stats = await proxyStats(proxy.proxyId);
    expect(stats.refused, 'attempts were refused while down').to.be.greaterThan(0);
    await waitFor(() => ada.status.getAttribute('status') === 'connected', 'Ada settles', 20_000);
    await settled(scene, 40_000);
  }).timeout(150_000);
});
