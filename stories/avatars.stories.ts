import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { MemoryRoom } from '../src/memory.js';
import type { PresenceMeta } from '../src/connection/wire.js';
import { attributes, CUSTOM_THEME, DARK, inRoom, peers } from './support.js';

/** The scenario, then the element's attributes under their own names (each one a control). */
interface Args {
  people: Partial<PresenceMeta>[];
  dir?: 'ltr' | 'rtl';
  style?: string;
  max?: number;
  size?: 's' | 'm' | 'l';
  'self-last'?: boolean;
  'away-after'?: number;
  grace?: number;
}

const meta: Meta<Args> = {
  title: 'Elements/flock-avatars',
  component: 'flock-avatars',
  render: (args) => {
    const room = new MemoryRoom({ room: 'avatars', user: { id: 'me', name: 'You Yourself' }, peers: args.people });
    return inRoom(room, html`<flock-avatars ${attributes(args)}></flock-avatars>`, {
      ...(args.dir ? { dir: args.dir } : {}),
      style: `${args.style ?? ''};min-block-size:4rem`,
    });
  },
};
export default meta;
type Story = StoryObj<Args>;

export const JustYou: Story = { args: { people: [] } };
export const Five: Story = { args: { people: peers(4) } };
export const SixOverflow: Story = { args: { people: peers(5) } };
export const FiveHundred: Story = { args: { people: peers(499, 120), max: 8 } };
export const LongNames: Story = {
  args: {
    people: [
      { id: 'l1', name: 'Maximiliane Alexandrina von Hohenzollern-Sigmaringen', status: 'active', since: 1 },
      { id: 'l2', name: 'محمد عبد الرحمن بن عبد العزيز آل سعود', status: 'active', since: 2 },
    ],
  },
};
export const BrokenImages: Story = {
  args: {
    people: [
      { id: 'b1', name: 'Broken Link', status: 'active', since: 1, avatar: '/no-such-picture.png' },
      { id: 'b2', name: 'Plain Http', status: 'active', since: 2, avatar: 'http://example.com/me.png' },
    ],
  },
};
export const AwayUsers: Story = { args: { people: peers(4, 2) } };
export const Small: Story = { args: { people: peers(4), size: 's' } };
export const Large: Story = { args: { people: peers(4), size: 'l' } };
export const RightToLeft: Story = { args: { people: peers(6), dir: 'rtl' } };
export const Dark: Story = { args: { people: peers(6, 1), style: DARK } };
export const CustomTheme: Story = { args: { people: peers(6), style: CUSTOM_THEME } };
/** Outside any room: nothing to show, and nothing breaks. */
export const Empty: Story = { render: (args) => html`<flock-avatars ${attributes(args)}></flock-avatars>` };
