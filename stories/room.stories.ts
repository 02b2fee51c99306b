import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { MemoryNetwork } from '../src/memory.js';
import type { Row } from '../src/connection/types.js';
import { attributes, CUSTOM_THEME, DARK, moving, peers } from './support.js';

/** The scenario, then `<flock-room>`'s attributes under their own names (each one a control). */
interface Args {
  offline?: boolean;
  dir?: 'ltr' | 'rtl';
  style?: string;
  /** The room's name: the MemoryRoom joins it, so every element inside follows. */
  room?: string;
  /** This user's name, colour and picture: they become the MemoryRoom's user (as on a real connection). */
  'user-name'?: string;
  'user-color'?: string;
  'avatar-url'?: string;
  /** Set on the element, but a provided Room (`.api`) takes the place of any connection. */
  'supabase-url'?: string;
  'supabase-key'?: string;
}

const PEOPLE = peers(5, 1);
const LINES = ['Morning! Slide 3 is ready for review.', 'Looks good. Can we tighten the intro?', 'On it — give me five minutes.', 'Pushed. @Ada can you check?'];

function seed(network: MemoryNetwork, room: string): void {
  const start = Date.now() - LINES.length * 5 * 60_000;
  network.tables.flock_messages.push(
    ...LINES.map((body, i): Row => {
      const author = i % 2 ? { id: 'me', name: 'Ada Lovelace' } : PEOPLE[i % PEOPLE.length]!;
      return { id: `overview-${i}`, room, user_id: author.id, author_name: author.name, body, created_at: new Date(start + i * 5 * 60_000).toISOString(), edited_at: null, deleted_at: null };
    }),
  );
  network.tables.flock_notifications.push(
    ...['Bo Diddley mentioned you in Design review', 'Your export is ready'].map((title, i): Row => ({
      id: `overview-n${i}`,
      user_id: 'me',
      kind: 'mention',
      title,
      body: null,
      url: null,
      actor_name: i ? null : 'Bo Diddley',
      created_at: new Date(Date.now() - (i + 1) * 17 * 60_000).toISOString(),
      read_at: null,
    })),
  );
}

let stories = 0;

const meta: Meta<Args> = {
  title: 'Overview/flock-room',
  component: 'flock-room',
  render: (args) => {
    const name = args.room || 'design-review';
    const canvas = `overview-canvas-${++stories}`;
    const network = new MemoryNetwork();
    seed(network, name);
    const room = network.join({
      room: name,
      user: { id: 'me', name: args['user-name'] || 'Ada Lovelace', ...(args['user-color'] ? { color: args['user-color'] } : {}), ...(args['avatar-url'] ? { avatar: args['avatar-url'] } : {}) },
      peers: PEOPLE,
    });
    if (args.offline) {
      network.down = true;
      room.script({ status: 'offline', attempt: 4, lastConnectedAt: Date.now() - 90_000 });
      const id = crypto.randomUUID();
      void room.write({ key: id, kind: 'chat.send', label: 'Written offline', write: { op: 'create', table: 'flock_messages', values: { id, room: name, user_id: 'me', author_name: 'Ada Lovelace', body: 'Written offline: goes out when we reconnect' } } });
    } else {
      moving(network, name, PEOPLE.slice(1, 4).map((p) => p.id), () => document.getElementById(canvas));
    }
    return html`<div dir=${ifDefined(args.dir)} style=${args.style ?? ''}>
      <flock-room .api=${room} ${attributes({ ...args, room: name })}>
        <div style="display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:0.75rem;margin-block-end:1rem">
          <span style="font:600 1.1rem system-ui">Design review</span>
          <span style="display:flex;align-items:center;gap:0.75rem">
            <flock-status></flock-status>
            <flock-avatars max="4"></flock-avatars>
            <flock-bell></flock-bell>
          </span>
        </div>
        <div style="display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start">
          <div id=${canvas} style="position:relative;flex:1 1 20rem;block-size:28rem;border:1px dashed #9ca3af;border-radius:8px;padding:1rem">
            <p style="margin:0;max-inline-size:36ch">The shared canvas: everyone's pointer shows here, over the same content whatever their window size.</p>
          </div>
          <div style="flex:1 1 20rem;max-inline-size:28rem"><flock-chat></flock-chat></div>
        </div>
        <flock-cursors target=${`#${canvas}`}></flock-cursors>
      </flock-room>
    </div>`;
  },
};
export default meta;
type Story = StoryObj<Args>;

/** Every element in one room on a MemoryRoom: status, avatars, bell, cursors over a canvas, chat. */
export const AllTogether: Story = { args: {} };
/** The same room offline: the status says so, a message waits in the outbox, peers stay listed. */
export const Offline: Story = { args: { offline: true } };
export const RightToLeft: Story = { args: { dir: 'rtl' } };
export const Dark: Story = { args: { style: DARK } };
export const CustomTheme: Story = { args: { style: CUSTOM_THEME } };
