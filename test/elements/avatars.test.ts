import { expect } from '@esm-bundle/chai';
import { MemoryNetwork } from '../../src/connection/memory/room.js';
import type { MemoryRoom } from '../../src/connection/memory/room.js';
import '../../src/index.js';
import type { FlockAvatars } from '../../src/elements/avatars/avatars.js';
import { initials, isAvatarUrl, peopleFrom, textOn } from '../../src/elements/avatars/people.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { waitFor } from '../support/browser-rooms.js';
import { mountInRoom } from '../support/elements.js';

/**
 * `<flock-avatars>` on MemoryRooms: one avatar per person, order, overflow list, away, grace
 * period, batched news, hostile peer data, keyboard use, RTL and axe.
 */

const hosts: HTMLElement[] = [];
let network: MemoryNetwork;
let me: MemoryRoom;
const others: MemoryRoom[] = [];

function mount(attrs = '', dir: 'ltr' | 'rtl' = 'ltr'): Promise<FlockAvatars> {
  return mountInRoom<FlockAvatars>(me, `<flock-avatars ${attrs}></flock-avatars>`, 'flock-avatars', hosts, dir);
}

function join(name: string, extra: { id?: string; avatar?: string; color?: string } = {}): MemoryRoom {
  const room = network.join({ room: 'avatars', user: { name, ...extra } });
  others.push(room);
  return room;
}

const avatars = (el: FlockAvatars) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="avatar"]')].filter((b) => b.tagName === 'BUTTON');
const names = (el: FlockAvatars) => avatars(el).map((b) => b.getAttribute('aria-label'));

describe('<flock-avatars>', () => {
  beforeEach(() => {
    network = new MemoryNetwork();
    me = network.join({ room: 'avatars', user: { id: 'me', name: 'Ada Lovelace' } });
  });
  afterEach(() => {
    for (const host of hosts.splice(0)) host.remove();
    for (const room of others.splice(0)) room.close();
    me.close();
  });

  it('shows one avatar per person, the current user first or last, with initials on their colour', async () => {
    join('Bo Diddley', { id: 'bo' });
    join('Bo Diddley', { id: 'bo' }); // a second tab of Bo's
    join('Cy', { id: 'cy' });
    const el = await mount();
    await waitFor(() => avatars(el).length === 3, 'three people');
    expect(names(el)).to.deep.equal(['Ada Lovelace (you), active', 'Bo Diddley, active', 'Cy, active']);
    expect(avatars(el)[0]!.querySelector('.initials')!.getAttribute('data-initials')).to.equal('AL');
    el.selfLast = true;
    await waitFor(() => names(el)[2] === 'Ada Lovelace (you), active', 'self last');
    await expectNoAxeViolations(el);
  });

  it('dims someone away (every tab), and keeps a leaver for the grace period', async () => {
    const bo = join('Bo', { id: 'bo' });
    const el = await mount('grace="0.3"');
    await waitFor(() => avatars(el).length === 2, 'two');
    bo.setPresenceStatus('away');
    await waitFor(() => names(el)[1] === 'Bo, away', 'Bo away');
    expect(avatars(el)[1]!.part.contains('away')).to.equal(true);
    await expectNoAxeViolations(el);
    bo.close();
    await el.updateComplete;
    expect(avatars(el)).to.have.length(2);
    await waitFor(() => avatars(el).length === 1, 'Bo gone after the grace period', 3000);
  });

  it('does not flash a leave and a join when someone reloads within the grace period', async () => {
    const first = join('Bo', { id: 'bo' });
    const el = await mount('grace="5"');
    await waitFor(() => avatars(el).length === 2, 'two');
    const changes: number[] = [];
    el.addEventListener('flock-presence-change', (e) => changes.push(e.detail.people.length));
    first.close();
    join('Bo', { id: 'bo' });
    await new Promise((r) => setTimeout(r, 1300));
    expect(changes.every((n) => n === 2)).to.equal(true);
    const live = el.shadowRoot!.querySelector('[role="status"]')!;
    expect(live.textContent).to.equal('');
  });

  it('announces joins politely, in batches', async () => {
    const el = await mount();
    await waitFor(() => avatars(el).length === 1, 'me');
    join('Bo');
    join('Cy');
    join('Di');
    const live = el.shadowRoot!.querySelector('[role="status"]')!;
    await waitFor(() => live.textContent === 'Bo and 2 others joined', 'one batched announcement', 3000);
  });

  it('renders hostile names and avatar URLs as text or not at all', async () => {
    join('<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>', { id: 'h1', avatar: 'http://tracker.example/pixel.png' });
    join('\u202Eevil\u202C name', { id: 'h2' });
    // Not v1 metas at all: a javascript: avatar and a 10 kB name are dropped and counted, never shown.
    join('Js', { id: 'h3', avatar: 'javascript:window.__pwned=1' });
    network.injectPresence('avatars', 'h4', { v: 1, id: 'h4', name: 'x'.repeat(10_000), color: '#123456', status: 'active', since: 1 });
    const el = await mount('max="10"');
    await waitFor(() => avatars(el).length === 3, 'the valid ones');
    expect(el.shadowRoot!.querySelectorAll('img, script')).to.have.length(0);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    expect(names(el)).to.include('<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>, active');
    expect(names(el)).to.include('evil name, active');
    expect(me.connection.dropped).to.equal(2);
    await expectNoAxeViolations(el);
  });

  it('loads https and same-origin avatar images, and falls back to initials when one breaks', async () => {
    join('Bo', { id: 'bo', avatar: '/node_modules/@supabase/phoenix/priv/static/phoenix.png' });
    join('Cy', { id: 'cy', avatar: '/does-not-exist.png' });
    const el = await mount();
    await waitFor(() => avatars(el).length === 3, 'three');
    await waitFor(() => {
      const img = avatars(el)[1]!.querySelector('img');
      return !!img && img.complete && img.naturalWidth > 0;
    }, 'Bo’s picture loaded', 5000);
    await waitFor(() => !avatars(el)[2]!.querySelector('img'), 'Cy’s broken picture replaced', 5000);
    expect(avatars(el)[2]!.querySelector('.initials')!.getAttribute('data-initials')).to.equal('CY');
    await expectNoAxeViolations(el);
  });

  it('puts the rest behind +N, whose list is a listbox driven by the keyboard', async () => {
    for (const name of ['Bo', 'Cy', 'Di', 'Ed', 'Fa', 'Gu']) join(name);
    const el = await mount('max="3"');
    await waitFor(() => avatars(el).length === 3, 'three shown');
    const overflow = el.shadowRoot!.querySelector<HTMLButtonElement>('[part="overflow"]')!;
    expect(overflow.textContent!.trim()).to.equal('+4');
    expect(overflow.getAttribute('aria-label')).to.equal('4 more people');
    overflow.click();
    await waitFor(() => !!el.shadowRoot!.querySelector('[role="listbox"]'), 'the list');
    const list = el.shadowRoot!.querySelector<HTMLElement>('[role="listbox"]')!;
    expect(el.shadowRoot!.activeElement).to.equal(list);
    expect(list.querySelectorAll('[role="option"]')).to.have.length(7);
    await expectNoAxeViolations(el);
    const clicked: string[] = [];
    el.addEventListener('flock-avatar-click', (e) => clicked.push(e.detail.person.name));
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    await el.updateComplete;
    expect(list.getAttribute('aria-activedescendant')).to.equal('person-2');
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await el.updateComplete;
    expect(clicked).to.deep.equal(['Cy']);
    expect(el.shadowRoot!.querySelector('[role="listbox"]')).to.equal(null);
    await waitFor(() => el.shadowRoot!.activeElement === overflow, 'focus back on +N');
  });

  it('moves through avatars with arrow keys, mirrored right to left', async () => {
    join('Bo');
    join('Cy');
    const el = await mount('', 'rtl');
    await waitFor(() => avatars(el).length === 3, 'three');
    const group = el.shadowRoot!.querySelector('[part="group"]')!;
    avatars(el)[0]!.focus();
    group.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(avatars(el)[1]);
    expect(avatars(el).map((b) => b.tabIndex)).to.deep.equal([-1, 0, -1]);
    group.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(avatars(el)[2]);
    const first = avatars(el)[0]!.getBoundingClientRect();
    const second = avatars(el)[1]!.getBoundingClientRect();
    expect(second.left).to.be.lessThan(first.left);
    await expectNoAxeViolations(el);
  });

  it('marks this user away after the idle time and active again on input', async () => {
    const el = await mount('away-after="0.2"');
    await waitFor(() => me.presence.get('me')?.[0]?.status === 'away', 'away after idling', 3000);
    document.dispatchEvent(new PointerEvent('pointerdown'));
    await waitFor(() => me.presence.get('me')?.[0]?.status === 'active', 'active again');
    expect(el.isConnected).to.equal(true);
  });

  it('stops listening and timing when removed', async () => {
    const bo = join('Bo');
    const el = await mount('grace="0.2" away-after="0.2"');
    await waitFor(() => avatars(el).length === 2, 'two');
    el.remove();
    let events = 0;
    el.addEventListener('flock-presence-change', () => events++);
    bo.close();
    join('Cy');
    await new Promise((r) => setTimeout(r, 600));
    expect(events).to.equal(0);
    expect(me.presence.get('me')?.[0]?.status).to.equal('active');
  });
});

describe('people helpers', () => {
  it('merges tabs: active if any tab is, earliest arrival, latest name', () => {
    const presence = new Map([
      ['bo', [
        { v: 1 as const, id: 'bo', name: 'Bo (old)', color: '#000000', status: 'away' as const, since: 10 },
        { v: 1 as const, id: 'bo', name: 'Bo', color: '#111111', status: 'active' as const, since: 20 },
      ]],
    ]);
    expect(peopleFrom(presence, 'me')).to.deep.equal([{ id: 'bo', name: 'Bo', color: '#111111', status: 'active', since: 10, tabs: 2, self: false }]);
  });

  it('makes initials, checks avatar URLs and picks readable text', () => {
    expect([initials('ada lovelace'), initials('Zoë'), initials('  '), initials('李 小龍')]).to.deep.equal(['AL', 'ZO', '?', '李小']);
    expect(['https://a.example/p.png', '/me.png', `${location.origin}/x.png`].map((u) => isAvatarUrl(u))).to.deep.equal([true, true, true]);
    expect(['http://a.example/p.png', 'javascript:alert(1)', 'data:image/png;base64,AA', '//evil.example/x.png'].map((u) => isAvatarUrl(u))).to.deep.equal([false, false, false, false]);
    expect([textOn('#ffff00'), textOn('#1d4ed8'), textOn('#fff')]).to.deep.equal(['#000', '#fff', '#000']);
  });
});
