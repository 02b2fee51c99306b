import { expect } from '@esm-bundle/chai';
import { emulateMedia } from '@web/test-runner-commands';
import { html } from 'lit';
import { MemoryNetwork } from '../../src/connection/memory/room.js';
import type { MemoryRoom } from '../../src/connection/memory/room.js';
import '../../src/index.js';
import { effectiveRate } from '../../src/elements/cursors/cursor-sender.js';
import type { FlockCursors } from '../../src/elements/cursors/cursors.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { waitFor } from '../support/browser-rooms.js';
import { mountInRoom } from '../support/elements.js';

/**
 * `<flock-cursors>` on MemoryRooms: the send rate (never above the configured one, lower as
 * the room grows, zero alone), hostile input, reduced motion, custom cursors, events, axe and
 * cleanup. Rates are checked by structure (sends per burst), not by timing.
 */

const hosts: HTMLElement[] = [];
let network: MemoryNetwork;
let me: MemoryRoom;
const peers: MemoryRoom[] = [];

function join(name: string, id: string = crypto.randomUUID()): MemoryRoom {
  const room = network.join({ room: 'cursors', user: { id, name } });
  peers.push(room);
  return room;
}

function mount(attrs = ''): Promise<FlockCursors> {
  const target = document.createElement('div');
  target.id = 'canvas';
  target.style.cssText = 'position:fixed;left:20px;top:20px;width:500px;height:400px;overflow:auto';
  target.innerHTML = '<div style="height:1200px"></div>';
  document.body.append(target);
  hosts.push(target);
  return mountInRoom<FlockCursors>(me, `<flock-cursors target="#canvas" ${attrs}></flock-cursors>`, 'flock-cursors', hosts);
}

const cursors = (el: FlockCursors) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="cursor"]')];
function position(node: HTMLElement): { x: number; y: number } {
  const m = /translate3d\(([-\d.]+)px, ([-\d.]+)px/.exec(node.style.transform)!;
  return { x: Number(m[1]), y: Number(m[2]) };
}
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

describe('<flock-cursors>', () => {
  beforeEach(() => {
    network = new MemoryNetwork();
    me = network.join({ room: 'cursors', user: { id: 'me', name: 'Ada' } });
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) host.remove();
    for (const room of peers.splice(0)) room.close();
    me.close();
    await emulateMedia({ reducedMotion: 'no-preference' });
  });

  it('lowers the rate as the room grows, by the README formula, and sends nothing alone', async () => {
    expect([2, 3, 5, 10].map((n) => Math.round(effectiveRate(20, 100, n) * 100) / 100)).to.deep.equal([20, 16.67, 5, 1.11]);
    expect(effectiveRate(20, 100, 1)).to.equal(0);
    const el = await mount();
    await waitFor(() => me.presence.size === 1, 'alone');
    for (let i = 0; i < 10; i++) document.dispatchEvent(new PointerEvent('pointermove', { clientX: 100 + i, clientY: 100 }));
    await new Promise((r) => setTimeout(r, 120));
    expect(el.sent).to.equal(0);
    for (let i = 0; i < 4; i++) join(`P${i}`);
    await waitFor(() => me.presence.size === 5, 'five people');
    expect(el.sendRate).to.equal(5);
  });

  it('never sends more than one leading and one trailing message per interval, and the trailing one is the last position', async () => {
    const bo = join('Bo', 'bo');
    const got: unknown[] = [];
    bo.onBroadcast('cursor', (m) => got.push(m));
    const el = await mount('rate="10"');
    await waitFor(() => el.sendRate === 10, 'rate 10 with two people');
    for (let i = 0; i < 50; i++) document.dispatchEvent(new PointerEvent('pointermove', { clientX: 30 + i, clientY: 30 + i }));
    expect(el.sent).to.equal(1);
    await waitFor(() => got.length === 2, 'the trailing send', 2000);
    await new Promise((r) => setTimeout(r, 250));
    expect(el.sent).to.equal(2);
    const last = got[1] as { x: number; y: number };
    expect(last.x).to.be.closeTo((79 - 20) / 500, 0.001);
  });

  it('drops hostile cursor messages, counts them, never throws, and keeps every cursor inside the target', async () => {
    join('Mallory', 'mallory');
    const el = await mount();
    await waitFor(() => me.presence.has('mallory'), 'Mallory present');
    const bad = [
      { v: 1, id: 'mallory', x: Number.NaN, y: 0.5 },
      { v: 1, id: 'mallory', x: Number.POSITIVE_INFINITY, y: 0.5 },
      { v: 1, id: 'mallory', x: 1e308, y: 0.5 },
      { v: 1, id: 'mallory', x: -0.2, y: 0.5 },
      { v: 1, id: 'mallory', x: '0.5', y: 0.5 },
      { v: 1, id: 'mallory', x: 0.5 },
      { v: 1, id: 'mallory', x: 0.5, y: 0.5, label: '<img src=x onerror=alert(1)>' },
    ];
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error);
    window.addEventListener('error', onError);
    for (const payload of bad) network.inject('cursors', 'cursor', payload);
    await waitFor(() => me.connection.dropped === bad.length, 'each counted');
    expect(cursors(el)).to.have.length(0);

    // A flood: 1,000 valid messages at once from one peer; past the per-sender limit, dropped.
    for (let i = 0; i < 1000; i++) network.inject('cursors', 'cursor', { v: 1, id: 'mallory', x: (i % 100) / 100, y: 0.99 });
    await waitFor(() => me.connection.dropped > bad.length + 900, 'the flood mostly dropped', 5000);
    window.removeEventListener('error', onError);
    expect(errors).to.deep.equal([]);
    await waitFor(() => cursors(el).length === 1, 'one cursor');
    await nextFrame();
    const box = document.querySelector('#canvas')!.getBoundingClientRect();
    const node = cursors(el)[0]!;
    const at = position(node);
    const visible = !node.hasAttribute('data-hidden');
    if (visible) expect(at.x >= box.left && at.x <= box.right && at.y >= box.top && at.y <= box.bottom).to.equal(true);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    // Still responsive: a valid message after the flood is applied.
    await new Promise((r) => setTimeout(r, 1100));
    network.inject('cursors', 'cursor', { v: 1, id: 'mallory', x: 0.1, y: 0.1 });
    await waitFor(() => Math.abs(position(cursors(el)[0]!).x - (box.left + 50)) < 1, 'the next message applied');
  });

  it("never draws a cursor under this user's own id (another tab of theirs, or a forger), with or without show-self", async () => {
    join('Bo', 'bo');
    const el = await mount();
    await waitFor(() => me.presence.has('bo'), 'Bo present');
    network.inject('cursors', 'cursor', { v: 1, id: 'me', x: 0.5, y: 0.5 });
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.2, y: 0.2 });
    await waitFor(() => cursors(el).length === 1, "Bo's cursor");
    expect(cursors(el).map((c) => c.dataset.id)).to.deep.equal(['bo']);

    el.showSelf = true;
    const target = document.querySelector<HTMLElement>('#canvas')!;
    const box = target.getBoundingClientRect();
    target.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: box.left + 10, clientY: box.top + 10 }));
    await waitFor(() => cursors(el).some((c) => c.dataset.id === 'me'), 'my own cursor, drawn by this tab');
    const mine = () => position(cursors(el).find((c) => c.dataset.id === 'me')!);
    await nextFrame();
    const before = mine();
    network.inject('cursors', 'cursor', { v: 1, id: 'me', x: 0.9, y: 0.9 });
    network.inject('cursors', 'cursor', { v: 1, id: 'me', gone: true });
    await network.settled();
    await nextFrame();
    expect(cursors(el).some((c) => c.dataset.id === 'me'), 'still drawn').to.equal(true);
    expect(mine()).to.deep.equal(before);
  });

  it('keeps cursors and labels over the target: the layer is clipped to it, and labels near its right edge hang left', async () => {
    join('Bo Diddley with a long name', 'bo');
    const el = await mount();
    await waitFor(() => me.presence.has('bo'), 'Bo present');
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.97, y: 0.05 });
    await waitFor(() => cursors(el).length === 1 && !cursors(el)[0]!.hasAttribute('data-hidden'), 'Bo’s cursor shown');
    await nextFrame();
    const box = document.querySelector('#canvas')!.getBoundingClientRect();
    const layer = el.shadowRoot!.querySelector<HTMLElement>('[part="layer"]')!;
    const [top, right, bottom, left] = /inset\(([\d.]+)px ([\d.]+)px ([\d.]+)px ([\d.]+)px\)/.exec(getComputedStyle(layer).clipPath)!.slice(1).map(Number);
    expect([top, left], 'clipped at the target’s top left').to.deep.equal([box.top, box.left]);
    expect(right, 'and its right').to.be.closeTo(document.documentElement.clientWidth - box.right, 0.5);
    expect(bottom, 'and its bottom').to.be.closeTo(window.innerHeight - box.bottom, 0.5);
    const label = el.shadowRoot!.querySelector('[part="label"]')!.getBoundingClientRect();
    expect(label.right, 'the label ends inside the target').to.be.at.most(box.right);
  });

  it('jumps straight to a new position when the user prefers reduced motion', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    join('Bo', 'bo');
    const el = await mount();
    await waitFor(() => me.presence.has('bo'), 'Bo present');
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.1, y: 0.1 });
    await waitFor(() => cursors(el).length === 1, 'Bo’s cursor');
    await new Promise((r) => setTimeout(r, 50));
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.9, y: 0.1 });
    await new Promise((r) => setTimeout(r, 10));
    await nextFrame();
    const box = document.querySelector('#canvas')!.getBoundingClientRect();
    expect(position(cursors(el)[0]!).x).to.be.closeTo(box.left + 0.9 * 500, 0.5);
  });

  it('glides otherwise: the first frame after a new position is between the old and the new', async () => {
    join('Bo', 'bo');
    const el = await mount();
    await waitFor(() => me.presence.has('bo'), 'Bo present');
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.1, y: 0.1 });
    await waitFor(() => cursors(el).length === 1, 'Bo’s cursor');
    await new Promise((r) => setTimeout(r, 300));
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.9, y: 0.1 });
    await new Promise((r) => setTimeout(r, 5));
    await nextFrame();
    const box = document.querySelector('#canvas')!.getBoundingClientRect();
    const x = position(cursors(el)[0]!).x;
    expect(x).to.be.greaterThan(box.left + 0.1 * 500 + 1).and.lessThan(box.left + 0.9 * 500 - 1);
  });

  it('fires enter and leave, draws a custom cursor, announces who is pointing, and passes axe', async () => {
    const bo = join('Bo', 'bo');
    const el = await mount('announce');
    el.renderCursor = (person) => html`<span class="custom">${person.name} ✎</span>`;
    const events: string[] = [];
    el.addEventListener('flock-cursor-enter', (e) => events.push(`enter ${e.detail.person.name}`));
    el.addEventListener('flock-cursor-leave', (e) => events.push(`leave ${e.detail.person.name}`));
    await waitFor(() => me.presence.has('bo'), 'Bo present');
    network.inject('cursors', 'cursor', { v: 1, id: 'bo', x: 0.5, y: 0.1 });
    await waitFor(() => !!el.shadowRoot!.querySelector('.custom'), 'the custom cursor');
    expect(el.shadowRoot!.querySelector('.custom')!.textContent).to.equal('Bo ✎');
    expect(el.shadowRoot!.querySelector('[part="layer"]')!.getAttribute('aria-hidden')).to.equal('true');
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Bo is pointing');
    await expectNoAxeViolations(document.body);
    bo.close();
    await waitFor(() => events.includes('leave Bo'), 'leave on leaving the room');
    expect(events).to.deep.equal(['enter Bo', 'leave Bo']);
  });

  it('sends gone and stops its frame loop, timers and listeners when removed', async () => {
    const bo = join('Bo', 'bo');
    const got: unknown[] = [];
    bo.onBroadcast('cursor', (m) => got.push(m));
    const el = await mount();
    await waitFor(() => el.sendRate > 0, 'two people');
    document.dispatchEvent(new PointerEvent('pointermove', { clientX: 100, clientY: 100 }));
    await waitFor(() => got.length === 1, 'a position');
    el.remove();
    await waitFor(() => got.length === 2, 'gone');
    expect(got[1]).to.deep.equal({ v: 1, id: 'me', gone: true });
    document.dispatchEvent(new PointerEvent('pointermove', { clientX: 120, clientY: 100 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(got).to.have.length(2);
  });
});
