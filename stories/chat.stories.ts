import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { MemoryNetwork, type MemoryRoom } from '../src/memory.js';
import type { Row } from '../src/connection/types.js';
import { attributes, CUSTOM_THEME, DARK, inRoom, peers } from './support.js';

/** The scenario, then the element's attributes under their own names (each one a control). */
interface Args {
  count: number;
  loading?: boolean;
  pendingAndFailed?: boolean;
  offline?: boolean;
  typing?: number;
  mentions?: boolean;
  long?: boolean;
  rtl?: boolean;
  dir?: 'ltr' | 'rtl';
  style?: string;
  readonly?: boolean;
  placeholder?: string;
  'page-size'?: number;
  'max-length'?: number;
}

const ME = { id: 'me', name: 'Ada Lovelace' };
const LINES = [
  'Morning! Is the review still at ten?',
  'Yes — same room. I put the agenda in the doc: https://example.com/agenda',
  'Thanks. I left comments on slides 3 and 7 👍',
  'Slide 7 reads much better now.',
  'Can someone check the contrast on the dark theme?',
  'On it.',
];
const ARABIC = ['صباح الخير! هل المراجعة في العاشرة؟', 'نعم، في نفس الغرفة.', 'شكرا لكم 🌟'];

function message(i: number, at: number, args: Args, extra: Row = {}): Row {
  const author = i % 3 === 0 ? ME : peers(3)[i % 3]!;
  const lines = args.rtl ? ARABIC : LINES;
  return {
    id: `m-${String(i).padStart(6, '0')}`,
    room: 'chat',
    user_id: author.id,
    author_name: author.name,
    body: args.long ? `${'A long message that keeps going, '.repeat(40)}${'x'.repeat(300)}` : lines[i % lines.length],
    created_at: new Date(at).toISOString(),
    edited_at: i % 11 === 5 ? new Date(at + 60_000).toISOString() : null,
    deleted_at: i % 13 === 7 ? new Date(at + 60_000).toISOString() : null,
    ...extra,
  };
}

/** `count` messages over the last few days, a few minutes apart, oldest first. */
function history(args: Args): Row[] {
  const start = Date.now() - args.count * 7 * 60_000;
  return Array.from({ length: args.count }, (_, i) => message(i, start + i * 7 * 60_000, args)).map((row) => (row.deleted_at ? { ...row, body: '' } : row));
}

function send(room: MemoryRoom, body: string): Promise<unknown> {
  const id = crypto.randomUUID();
  return room.write({ key: id, kind: 'chat.send', label: body, write: { op: 'create', table: 'flock_messages', values: { id, room: 'chat', user_id: ME.id, author_name: ME.name, body } } });
}

/** Peers keep typing while the story is on screen (a typist who stops sending times out). */
function keepTyping(network: MemoryNetwork, count: number, marker: string): void {
  const tick = () => {
    if (!document.querySelector(`[data-story="${marker}"]`)) return clearInterval(timer);
    for (const peer of peers(count)) network.inject('chat', 'typing', { v: 1, id: peer.id, typing: true });
  };
  const timer = setInterval(tick, 1500);
  setTimeout(tick, 30);
}

const meta: Meta<Args> = {
  title: 'Elements/flock-chat',
  component: 'flock-chat',
  render: (args) => {
    const network = new MemoryNetwork();
    const rows = history(args);
    if (args.mentions) rows.push(message(rows.length + 1, Date.now() - 60_000, args, { user_id: 'peer-1', author_name: 'Bo Diddley', body: '@AdaLovelace can you look at this? cc @CyTwombly' }));
    network.tables.flock_messages.push(...rows);
    if (args.loading) network.delayMs = 60 * 60 * 1000;
    const room = network.join({ room: 'chat', user: ME, peers: peers(Math.max(3, args.typing ?? 0)) });
    if (args.pendingAndFailed) {
      network.refuse((write) => (write.op === 'create' && String(write.values.body).startsWith('This one') ? 'new row violates check constraint "flock_messages_body_check"' : undefined));
      void send(room, 'This one was refused by the server').then(() => {
        network.down = true;
        room.script({ status: 'reconnecting', attempt: 1, nextRetryAt: Date.now() + 4000 });
        return send(room, 'Sending as soon as we reconnect…');
      });
    }
    if (args.offline) {
      network.down = true;
      room.script({ status: 'offline', attempt: 3 });
      for (const body of ['Written on the train', 'Still no signal', 'Will go out in order, once']) void send(room, body);
    }
    const marker = `chat-${crypto.randomUUID()}`;
    if (args.typing) keepTyping(network, args.typing, marker);
    return inRoom(
      room,
      html`<div data-story=${marker} style="max-inline-size:32rem"><flock-chat ${attributes(args)}></flock-chat></div>`,
      { ...(args.dir ? { dir: args.dir } : {}), style: args.style ?? '' },
    );
  },
};
export default meta;
type Story = StoryObj<Args>;

export const Empty: Story = { args: { count: 0 } };
export const Loading: Story = { args: { count: 10, loading: true } };
export const LongConversation: Story = { args: { count: 400 } };
export const PendingAndFailed: Story = { args: { count: 6, pendingAndFailed: true } };
export const OfflineWithQueue: Story = { args: { count: 6, offline: true } };
export const OnePersonTyping: Story = { args: { count: 4, typing: 1 } };
export const TwoPeopleTyping: Story = { args: { count: 4, typing: 2 } };
export const FivePeopleTyping: Story = { args: { count: 4, typing: 5 } };
export const Mentions: Story = { args: { count: 4, mentions: true } };
export const LongText: Story = { args: { count: 3, long: true } };
export const ReadOnly: Story = { args: { count: 6, readonly: true } };
export const RightToLeft: Story = { args: { count: 6, rtl: true, dir: 'rtl' } };
export const Dark: Story = { args: { count: 8, style: DARK } };
export const CustomTheme: Story = { args: { count: 8, style: CUSTOM_THEME } };
