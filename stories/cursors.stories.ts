import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { MemoryNetwork } from '../src/memory.js';
import type { CursorPerson } from '../src/elements/cursors/cursors.js';
import { attributes, CUSTOM_THEME, DARK, inRoom, moving, peers } from './support.js';

/** The scenario, then the element's attributes under their own names (each one a control). */
interface Args {
  count: number;
  names?: string[];
  dir?: 'ltr' | 'rtl';
  style?: string;
  /** Draw each cursor with `renderCursor` (a property, not an attribute). */
  custom?: boolean;
  /** CSS selector of the canvas; the story's own canvas unless a control changes it. */
  target?: string;
  rate?: number;
  budget?: number;
  'idle-after'?: number;
  'show-self'?: boolean;
  'hide-labels'?: boolean;
  announce?: boolean;
  'reduced-motion'?: boolean;
}

let stories = 0;

const meta: Meta<Args> = {
  title: 'Elements/flock-cursors',
  component: 'flock-cursors',
  render: (args) => {
    const id = `story-canvas-${++stories}`;
    const people = peers(args.count).map((p, i) => ({ ...p, name: args.names?.[i % args.names.length] ?? p.name }));
    const network = new MemoryNetwork();
    const room = network.join({ room: 'cursors', user: { id: 'me', name: 'You' }, peers: people });
    moving(network, 'cursors', people.map((p) => p.id), () => document.getElementById(id));
    const custom = (person: CursorPerson) => html`<span style="display:inline-block;padding:2px 6px;border-radius:10px;background:${person.color};color:#fff;font:12px system-ui">✎ ${person.name}</span>`;
    return inRoom(
      room,
      html`<div id=${id} style="position:relative;inline-size:100%;block-size:360px;border:1px dashed #9ca3af;border-radius:8px"></div>
        <flock-cursors ${attributes({ ...args, target: args.target || `#${id}` })} .renderCursor=${args.custom ? custom : undefined}></flock-cursors>`,
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
export const ReducedMotion: Story = { args: { count: 5, 'reduced-motion': true } };
