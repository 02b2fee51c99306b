import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { MemoryNetwork } from '../src/memory.js';
import type { Row } from '../src/connection/types.js';
import { attributes, CUSTOM_THEME, DARK, inRoom } from './support.js';

/** The scenario, then the element's attributes under their own names (each one a control). */
interface Args {
  count: number;
  read?: number;
  loading?: boolean;
  error?: boolean;
  offline?: boolean;
  long?: boolean;
  dir?: 'ltr' | 'rtl';
  style?: string;
  /** Open unless a story or control says otherwise: the inbox is what most states show. */
  open?: boolean;
  dot?: boolean;
  toast?: boolean;
  sound?: boolean;
  'page-size'?: number;
}

const TITLES = ['Ada mentioned you in Design review', 'Bo replied to your comment', 'Your export is ready', 'Cy invited you to Board 7'];

function notifications({ count, read = 0, long }: Args): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    user_id: 'me',
    kind: 'mention',
    title: long ? `${TITLES[i % TITLES.length]} — ${'and a very long title that keeps going '.repeat(6)}` : TITLES[i % TITLES.length],
    body: long ? 'A long body. '.repeat(60) : i % 2 ? 'Can you take a look before Friday?' : null,
    url: i % 3 === 0 ? `/docs/${i}` : null,
    actor_name: ['Ada Lovelace', 'Bo Diddley', 'Cy Twombly'][i % 3],
    created_at: new Date(Date.now() - i * 37 * 60_000).toISOString(),
    read_at: i >= count - read ? new Date().toISOString() : null,
  }));
}

const meta: Meta<Args> = {
  title: 'Elements/flock-bell',
  component: 'flock-bell',
  render: (args) => {
    const network = new MemoryNetwork();
    network.tables.flock_notifications.push(...notifications(args));
    if (args.loading) network.delayMs = 60 * 60 * 1000;
    if (args.error) network.failNext(2, 'Failed to fetch');
    const room = network.join({ room: 'bell', user: { id: 'me', name: 'You' } });
    if (args.offline) {
      network.down = true;
      room.script({ status: 'offline', attempt: 2 });
      // Actions made offline: applied in the inbox at once, waiting in the outbox.
      void room.write({ key: 'read-all', kind: 'notification.read-all', write: { op: 'update', table: 'flock_notifications', values: { read_at: new Date().toISOString() }, where: [{ column: 'user_id', op: 'eq', value: 'me' }] } });
    }
    return inRoom(room, html`<div style="display:flex;justify-content:flex-end;min-block-size:30rem"><flock-bell ${attributes({ ...args, open: args.open ?? true })}></flock-bell></div>`, {
      ...(args.dir ? { dir: args.dir } : {}),
      style: args.style ?? '',
    });
  },
};
export default meta;
type Story = StoryObj<Args>;

export const Empty: Story = { args: { count: 0 } };
export const One: Story = { args: { count: 1 } };
export const NinetyNine: Story = { args: { count: 99 } };
export const HundredFiftyUnread: Story = { args: { count: 150 } };
export const SomeRead: Story = { args: { count: 6, read: 3 } };
export const Dot: Story = { args: { count: 4, dot: true } };
export const Loading: Story = { args: { count: 3, loading: true } };
export const Error: Story = { args: { count: 3, error: true } };
export const OfflineWithPendingActions: Story = { args: { count: 3, offline: true } };
export const LongText: Story = { args: { count: 2, long: true } };
export const RightToLeft: Story = { args: { count: 4, dir: 'rtl' } };
export const Dark: Story = { args: { count: 4, style: DARK } };
export const CustomTheme: Story = { args: { count: 4, style: CUSTOM_THEME } };
