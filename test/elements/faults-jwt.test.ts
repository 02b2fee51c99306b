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

  it('renews a token shorter than a heartbeat once per lifetime, not in a loop, and no channel ends', async () => {
    // 6 s tokens under the kit's 15 s heartbeat and auth-js's 30 s tick: only the kit's own renewal
    // keeps them alive. Each refresh used to re-read the session, which refreshes any token under
    // auth-js's 90 s margin at once: a loop of several refreshes a second.
    const scene = await openScene({ server: { accessTokenSeconds: 6 } });
    const { ada, bo, lease } = scene;
    await say(scene, ada.chat, 'fresh token');
    await settled(scene);
    let refreshes = 0;
    const { data } = lease.connection.client.auth.onAuthStateChange((event) => {
      if (event === 'TOKEN_REFRESHED') refreshes++;
    });
    const roomJoins = lease.room.transport.session.joins;
    const userJoins = lease.connection.userChannel().joins;
    const started = Date.now();
    // Past two lifetimes.
    await new Promise((r) => setTimeout(r, 13_000));
    data.subscription.unsubscribe();
    const lifetimes = (Date.now() - started) / 6000;

    expect(refreshes, 'renewed at least once per lifetime').to.be.at.least(Math.floor(lifetimes));
    // One per three quarters of a lifetime, plus a few from reading the session elsewhere (this
    // test's own subscription, a REST call, a heartbeat), each of which refreshes so short a token.
    // The loop made hundreds.
    expect(refreshes, 'not a refresh loop').to.be.at.most(Math.ceil(lifetimes / 0.75) + 5);
    expect(lease.room.transport.session.joins, 'the room channel was never ended').to.equal(roomJoins);
    expect(lease.connection.userChannel().joins, 'the user channel was never ended').to.equal(userJoins);
    await say(scene, bo.chat, 'after two lifetimes');
    await settled(scene);
  }).timeout(90_000);

  it('joins again when the server ends a channel for an expired token, and catches up', async () => {
    // Realtime ends a channel whose token has expired (a `system` error, then `phx_close`) and
    // realtime-js drops it for good. Here the ending comes from a token pushed after its expiry,
    // as a tab waking from sleep pushes its stale one: the kit's own refreshes keep a 6 s token
    // from lapsing while the page is awake.
    const scene = await openScene({ server: { accessTokenSeconds: 6 } });
    const { ada, bo, lease } = scene;
    await say(scene, ada.chat, 'fresh token');
    await settled(scene);
    const realtime = lease.connection.client.realtime;
    const stale = realtime.accessTokenValue!;
    const roomJoins = lease.room.transport.session.joins;
    const userJoins = lease.connection.userChannel().joins;
    await new Promise((r) => setTimeout(r, 7000));

    await realtime.setAuth(stale);
    await waitFor(() => lease.room.transport.session.joins > roomJoins, 'the room channel joined again', 20_000);
    await waitFor(() => lease.connection.userChannel().joins > userJoins, 'the user channel joined again', 20_000);
    await say(scene, bo.chat, 'after the expiry');
    await waitFor(() => ada.chat.messages.some((m) => m.body === 'after the expiry'), 'Bo’s message reaches Ada', 20_000);
    await notifyAda(scene, 'after the expiry');
    await waitFor(() => badge(ada.bell) === '1', 'the notification arrives', 20_000);
    await settled(scene);
  }).timeout(90_000);
});
