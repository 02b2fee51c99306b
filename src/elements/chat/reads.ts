import type { RowChange, Room, Row } from '../../connection/types.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';
import { timeKey, type ChatMessage } from './timeline.js';

/** How long reading has to settle before the read position is written. */
const DEBOUNCE_MS = 1000;
/** Read rows loaded for "Seen by": a room's members, well past what the line shows. */
const READERS = 500;

interface Read {
  /** The server time of the last message read (ISO). */
  at: string;
  messageId: string | null;
}

function toRead(row: Row): [string, Read] | undefined {
  if (typeof row.user_id !== 'string' || typeof row.last_read_at !== 'string') return undefined;
  return [row.user_id, { at: row.last_read_at, messageId: typeof row.last_read_message_id === 'string' ? row.last_read_message_id : null }];
}

/**
 * Read positions in the room (`flock_reads`, one row per user): this user's, written through the
 * outbox (debounced, and only forward), and everyone's, kept live, for "Seen by". A position is
 * the server time of the last message read, so it compares with messages on one clock.
 */
export class ReadsTracker extends RoomController {
  readonly #reads = new Map<string, Read>();
  /** This user's position when the room opened: where the "new messages" divider goes. */
  openedAt: string | undefined;
  loaded = false;
  #due = false;
  #pending: ChatMessage | undefined;
  #timer: number | undefined;

  constructor(
    host: RoomHost,
    private readonly changed: () => void,
  ) {
    super(host);
  }

  protected override roomChanged(room: Room, signal: AbortSignal): void {
    onAbort(signal, room.onChanges({ event: '*', table: 'flock_reads', filter: `room=eq.${room.name}` }, (change) => this.#apply(change)));
    const load = () => void this.#load(room, signal);
    room.addEventListener('resync', load, { signal });
    if (room.user) load();
    else room.addEventListener('user', load, { once: true, signal });
    onAbort(signal, () => {
      // Written to the room being left, before it goes.
      this.#flush();
      this.#reads.clear();
      this.loaded = false;
    });
  }

  /** The user has seen `message` (the newest visible): remember it, shortly, if it moves forward. */
  read(message: ChatMessage | undefined): void {
    const room = this.room;
    if (!room?.user || room.user.kind === 'visitor' || !this.loaded) return;
    const mine = this.#reads.get(room.user.id);
    // No messages yet: a read row with no position still makes this user a member (mentions).
    if (mine && (!message?.createdAt || timeKey(message.createdAt) <= timeKey(mine.at))) return;
    if (this.#due && message?.id === this.#pending?.id) return;
    this.#due = true;
    this.#pending = message;
    this.timers.clearTimeout(this.#timer);
    this.#timer = this.timers.setTimeout(() => this.#flush(), DEBOUNCE_MS);
  }

  /** User ids (not `except`) whose read position is at or past `message`. */
  seenBy(message: ChatMessage, except: string | undefined): string[] {
    if (!message.createdAt) return [];
    const at = timeKey(message.createdAt);
    return [...this.#reads].filter(([id, read]) => id !== except && timeKey(read.at) >= at).map(([id]) => id);
  }

  #flush(): void {
    this.timers.clearTimeout(this.#timer);
    const room = this.room;
    if (!room?.user || !this.#due) return;
    const message = this.#pending;
    this.#due = false;
    this.#pending = undefined;
    const at = message?.createdAt ?? new Date(0).toISOString();
    this.#reads.set(room.user.id, { at, messageId: message?.id ?? null });
    void room.write({
      key: `chat.read:${room.name}:${crypto.randomUUID()}`,
      kind: 'chat.read',
      label: room.name,
      write: {
        op: 'upsert',
        table: 'flock_reads',
        onConflict: 'user_id,room',
        values: { user_id: room.user.id, room: room.name, last_read_message_id: message?.id ?? null, last_read_at: at },
      },
    });
  }

  async #load(room: Room, signal: AbortSignal): Promise<void> {
    if (!room.user) return;
    try {
      const { rows } = await room.rows({ table: 'flock_reads', where: [{ column: 'room', op: 'eq', value: room.name }], order: [{ column: 'updated_at', ascending: false }], limit: READERS }, { signal });
      for (const row of rows) {
        const read = toRead(row);
        if (read) this.#reads.set(...read);
      }
      if (!this.loaded) this.openedAt = this.#reads.get(room.user.id)?.at;
      this.loaded = true;
      this.changed();
    } catch {
      // Offline or a visitor: no receipts; the next resync loads them.
    }
  }

  #apply(change: RowChange): void {
    const read = toRead(change.eventType === 'DELETE' ? change.old : change.new);
    if (!read) return;
    if (change.eventType === 'DELETE') this.#reads.delete(read[0]);
    else {
      const held = this.#reads.get(read[0]);
      if (!held || timeKey(read[1].at) >= timeKey(held.at)) this.#reads.set(...read);
    }
    this.changed();
  }
}
