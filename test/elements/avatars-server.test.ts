import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import '../../src/index.js';
import type { FlockAvatars } from '../../src/elements/avatars/avatars.js';
import type { FlockRoom } from '../../src/elements/room/room.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient } from '../support/elements.js';
import { localServerUrl } from '../support/local-server-url.js';

/**
 * `<flock-avatars>` with real clients on the local server: Ada's page shows Bo, who has three
 * tabs (three sockets, one session); Bo goes away only when every tab is away; a reload of one
 * tab shows no leave; Bo disappears once every tab is gone and the grace period has passed.
 */
describe('<flock-avatars> against the local server', () => {
  let url: string;
  const clients: SupabaseClient[] = [];
  const hosts: HTMLElement[] = [];
  const room = `avatars-${crypto.randomUUID()}`;

  function mountTab(client: SupabaseClient, withAvatars = false): FlockRoom {
    return mountWithClient(client, room, withAvatars ? '<flock-avatars grace="1"></flock-avatars>' : '', hosts);
  }

  before(async () => {
    url = await localServerUrl();
  });
  after(async () => {
    for (const host of hosts) host.remove();
    for (const client of clients) {
      await client.removeAllChannels();
      void client.realtime.disconnect();
    }
  });

  it('shows Bo once for three tabs, away only when all are, through a reload, and gone after the grace period', async () => {
    const ada = await appClient(url, 'Ada');
    const bo1 = await appClient(url, 'Bo');
    const { data } = await bo1.auth.getSession();
    const [bo2, bo3] = [await appClient(url), await appClient(url)];
    for (const tab of [bo2, bo3]) await tab.auth.setSession({ access_token: data.session!.access_token, refresh_token: data.session!.refresh_token });
    clients.push(ada, bo1, bo2, bo3);

    const avatars = mountTab(ada, true).querySelector<FlockAvatars>('flock-avatars')!;
    const tabs = [mountTab(bo1), mountTab(bo2), mountTab(bo3)];
    const labels = () => [...avatars.shadowRoot!.querySelectorAll('button[part~="avatar"]')].map((b) => b.getAttribute('aria-label'));
    const people = () => (avatars as unknown as { people: { name: string; tabs: number }[] }).people;

    await waitFor(() => people().find((p) => p.name === 'Bo')?.tabs === 3, 'Bo with three tabs', 15_000);
    expect(labels()).to.deep.equal(['Ada (you), active', 'Bo, active']);

    tabs[0]!.api!.setPresenceStatus('away');
    tabs[1]!.api!.setPresenceStatus('away');
    await new Promise((r) => setTimeout(r, 500));
    expect(labels()).to.deep.equal(['Ada (you), active', 'Bo, active']);
    tabs[2]!.api!.setPresenceStatus('away');
    await waitFor(() => labels()[1] === 'Bo, away', 'Bo away once every tab is', 10_000);

    // Down to one tab, then that tab reloads: it leaves and comes back within the grace period.
    tabs[1]!.remove();
    tabs[2]!.remove();
    await waitFor(() => people().find((p) => p.name === 'Bo')?.tabs === 1, 'one tab left', 10_000);
    const changes: number[] = [];
    avatars.addEventListener('flock-presence-change', (e) => changes.push(e.detail.people.length));
    tabs[0]!.remove();
    // The room really saw Bo go; the avatar stays through the grace period.
    const adaRoom = avatars.closest('flock-room')!.api!;
    const boId = tabs[1]!.api?.user?.id ?? data.session!.user.id;
    await waitFor(() => !adaRoom.presence.has(boId), 'the leave reached Ada');
    expect(labels()).to.deep.equal(['Ada (you), active', 'Bo, away']);
    tabs[0] = mountTab(bo1);
    await waitFor(() => adaRoom.presence.has(boId) && labels()[1] === 'Bo, active', 'Bo back, active again', 10_000);
    expect(changes.every((n) => n === 2)).to.equal(true);
    expect(avatars.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('');

    tabs[0]!.remove();
    await new Promise((r) => setTimeout(r, 300));
    expect(labels().length).to.equal(2);
    await waitFor(() => labels().length === 1, 'Bo gone after the grace period', 10_000);
    await waitFor(() => avatars.shadowRoot!.querySelector('[role="status"]')!.textContent === 'Bo left', 'the leave announced', 5000);
  });
});
