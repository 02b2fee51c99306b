import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { blackhole } from '../support/fault-control.js';
import { closeScene, notifyAda, openScene, say, settled } from '../support/fault-scene.js';

/**
 * The laptop-sleep case. Emulation: the link goes silent (the proxy black-holes Ada's
 * connections, as a closed lid takes the Wi-Fi with it: no data, no close), and the page's
 * main thread is held for longer than two heartbeat intervals, so no timer or task runs, as
 * in a suspended machine; then it runs again, with the wall clock moved on and every timer
 * overdue, and no event of any kind. (Freezing the page through the DevTools protocol,
 * `Page.setWebLifecycleState`, would also close web-test-runner's own socket to the page.)
 * Without a check on waking, the status would say "connected" until phoenix's next heartbeat
 * timed out, a full interval later; it must correct itself at once, then recover, with what
 * Bo wrote and the notification sent during the sleep shown once.
 */
const HEARTBEAT_MS = 4000;

function sleepThePage(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Nothing runs: no timers, no network events, no rendering.
  }
}

describe('faults: the laptop sleeps', () => {
  afterEach(closeScene);

  it('corrects the status at once on waking, then reconnects and catches up', async () => {
    const scene = await openScene({ heartbeatMs: HEARTBEAT_MS });
    const { ada, bo, proxy } = scene;
    await say(scene, ada.chat, 'before sleeping');
    await settled(scene);

    await blackhole(proxy.proxyId, true);
    sleepThePage(2.5 * HEARTBEAT_MS);
    expect(ada.status.getAttribute('status'), 'nothing ran while asleep').to.equal('connected');
    // Phoenix alone would take one more interval (4 s) to time the next beat out.
    await waitFor(() => ada.status.getAttribute('status') !== 'connected', 'the status corrected on waking', 1000);
    expect(ada.status.getAttribute('status')).to.equal('reconnecting');

    await say(scene, bo.chat, 'Bo, while Ada was away');
    await notifyAda(scene, 'while asleep');
    await blackhole(proxy.proxyId, false);
    await say(scene, ada.chat, 'awake');
    await waitFor(() => ada.status.getAttribute('status') === 'connected', 'Ada back', 20_000);
    await settled(scene);
  }).timeout(90_000);
});
