import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { MemoryNetwork } from '../src/connection/memory/network.js';
import type { CursorPerson } from '../src/elements/cursors/cursors.js';
import { CUSTOM_THEME, DARK, inRoom, peers } from './support.js';

interface Args {
  count: number;
  names?: string[];
  dir?: 'ltr' | 'rtl';
  style?: string;
  custom?: boolean;
  reducedMotion?: boolean;
}

let stories = 0;

/** Peers who move in slow loops over the canvas, 20 positions a second each, until the story goes. */
function moving(network: MemoryNetwork, ids: string[], canvas: () => Element | null): void {
  const started = performance.now();
  const timer = window.setInterval(() => {
    if (!canvas()?.isConnected && performance.now() - started > 1000) return window.clearInterval(timer);
    const t = (performance.now() - started) / 1000;
    ids.forEach((id, i) => {
      const phase = (i / ids.length) * Math.PI * 2;
      const x = 0.5 + 0.4 * Math.sin(t * 0.7 + phase) * Math.cos(t * 0.3 + i);
      const y = 0.5 + 0.4 * Math.cos(t * 0.5 + phase);
      network.inject('cursors', 'cursor', { v: 1, id, x, y });
    });
  }, 50);
}

const meta: Meta<Args> = {
  title: 'Elements/flock-cursors',
  component: 'flock-cursors',
  render: (args) => {
    const id = `story-canvas-${++stories}`;
    const people = peers(args.count).map((p, i) => ({ ...p, name: args.names?.[i % args.names.length] ?? p.name }));
    const network = new MemoryNetwork();
    const room = network.join({ room: 'cursors', user: { id: 'me', name: 'You' }, peers: people });
    moving(network, people.map((p) => p.id), () => document.getElementById(id));
    const custom = (person: CursorPerson) => html`<span style="display:inline-block;padding:2px 6px;border-radius:10px;background:${person.color};color:#fff;font:12px system-ui">✎ ${person.name}</span>`;
    return inRoom(
      room,
      html`<div id=${id} style="position:relative;inline-size:100%;block-size:360px;border:1px dashed #9ca3af;border-radius:8px"></div>
        <flock-cursors target=${`#${id}`} ?reduced-motion=${args.reducedMotion ?? false} .renderCursor=${args.custom ? custom : undefined}></flock-cursors>`,
      { ...(args.dir ? { dir: args.dir } : {}), style: args.style ?? '' },
    );
  },
};
export default meta;
type Story = StoryObj<Args>;

export const OneCursor: Story = { args: { count: 1 } };
export const TenCursors: Story = { args: { count: 10 } };
export const HundredCursors: Story = { args: { count: 100 } };
export const LongNames: Story = { args: { count: 3, names: ['Maximiliane Alexandrina von Hohenzollern-Sigmaringen', 'محمد عبد الرحمن بن عبد العزيز', 'Ng'] } };
export const RightToLeft: Story = { args: { count: 5, dir: 'rtl' } };
export const Dark: Story = { args: { count: 5, style: DARK } };
export const CustomCursor: Story = { args: { count: 4, custom: true } };
export const CustomTheme: Story = { args: { count: 4, style: CUSTOM_THEME } };
export const ReducedMotion: Story = { args: { count: 5, reducedMotion: true } };
