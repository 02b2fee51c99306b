import { expect } from '@esm-bundle/chai';
import { waitFor } from '../support/browser-rooms.js';
import { badge, closeScene, notifyAda, openScene, say, settled } from '../support/fault-scene.js';

/**
 * The JWT expiring while connected. The server hands out access tokens that live 6 s; Realtime
 * ends a channel whose token has expired (a `system` error, then `phx_close`), as Supabase's
 * does. Ada's client refreshes (supabase-js: on its auto-refresh tick and before each heartbeat,
 * every 2 s here), so across several lifetimes her room channel and her own notifications
 * channel must stay subscribed, or join again: a message from Bo and a notification sent after
 * the first tokens expired still arrive, once.
 */
describe('faults: the access token expires while connected', () => {
  afterEach(closeScene);

  it('refreshes, keeps both channels, and still receives changes', async () => {
    const scene = await openScene({ server: { accessTokenSeconds: 6 }, heartbeatMs: 2000 });
    const { ada, bo, lease } = scene;
    await say(scene, ada.chat, 'fresh token');
    await settled(scene);
    const first = (await lease.connection.client.auth.getSession()).data.session!.access_token;

    // Past two lifetimes of the first token.
    await new Promise((r) => setTimeout(r, 13_000));
    const now = (await lease.connection.client.auth.getSession()).data.session!.access_token;
    expect(now === first, 'a new token').to.equal(false);
    await say(scene, bo.chat, 'after the expiry');
    await notifyAda(scene, 'after the expiry');
    await waitFor(() => badge(ada.bell) === '1', 'the notification arrives', 15_000);
    await say(scene, ada.chat, 'still here');
    await settled(scene);
  }).timeout(90_000);
});
