import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { MemoryNetwork, type MemoryRoom } from '../src/memory.js';
import type { ConnectionState } from '../src/connection/types.js';
import { attributes, CUSTOM_THEME, DARK, inRoom } from './support.js';

/** The scenario, then the element's attributes under their own names (each one a control). */
interface Args {
  connection: Partial<ConnectionState>;
  refused?: number;
  dir?: 'ltr' | 'rtl';
  style?: string;
  compact?: boolean;
  open?: boolean;
  'hide-when-connected'?: boolean;
}

/** A MemoryRoom in the given state; refused writes are real entries of its outbox. */
function roomIn({ connection, refused = 0 }: Args): MemoryRoom {
  const network = new MemoryNetwork();
  network.refuse(() => 'new row violates row-level security policy for table "flock_messages"');
  const room = network.join({ room: 'status', user: { name: 'Ada' }, connection: { status: 'connected', latency: 42 } });
  for (let i = 0; i < refused; i++) {
    void room.write({ key: `refused-${i}`, kind: 'chat.send', label: `Message ${i + 1}`, write: { op: 'create', table: 'flock_messages', values: { id: `refused-${i}` } } });
  }
  room.script(connection);
  return room;
}

const meta: Meta<Args> = {
  title: 'Elements/flock-status',
  component: 'flock-status',
  render: (args) =>
    inRoom(roomIn(args), html`<flock-status ${attributes(args)}></flock-status>`, {
      ...(args.dir ? { dir: args.dir } : {}),
      style: `${args.style ?? ''};min-block-size:${args.open ? '22rem' : '3rem'}`,
    }),
};
export default meta;
type Story = StoryObj<Args>;

export const Connecting: Story = { args: { connection: { status: 'connecting', latency: undefined } } };
export const ConnectedExcellent: Story = { args: { connection: { status: 'connected', latency: 42 } } };
export const ConnectedGood: Story = { args: { connection: { status: 'connected', latency: 180 } } };
export const ConnectedFair: Story = { args: { connection: { status: 'connected', latency: 640 } } };
export const ConnectedPoor: Story = { args: { connection: { status: 'connected', latency: 1450 } } };
export const ReconnectingWithCountdown: Story = {
  args: { connection: { status: 'reconnecting', attempt: 3, nextRetryAt: Date.now() + 8_000, lastConnectedAt: Date.now() - 40_000 }, open: true },
};
export const OfflineWithQueuedAndRefusedWrites: Story = {
  args: { connection: { status: 'offline', queued: 3, attempt: 5, lastConnectedAt: Date.now() - 300_000 }, refused: 2, open: true },
};
export const DroppedMessages: Story = { args: { connection: { status: 'connected', latency: 60, dropped: 17 }, open: true } };
export const Compact: Story = { args: { connection: { status: 'connected', latency: 42 }, compact: true } };
export const RightToLeft: Story = { args: { connection: { status: 'reconnecting', attempt: 1, nextRetryAt: Date.now() + 4_000 }, dir: 'rtl', open: true } };
export const Dark: Story = { args: { connection: { status: 'connected', latency: 240 }, style: DARK, open: true } };
export const CustomTheme: Story = { args: { connection: { status: 'offline', queued: 1 }, style: CUSTOM_THEME } };
