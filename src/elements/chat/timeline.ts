import type { Row } from '../../connection/types.js';
import { compareMessages, timeKey } from '../live/server-time.js';

export { compareMessages, timeKey };

/**
 * Messages in the order the server gave them, and the list's rows around them: day separators,
 * author groups and the "new messages" divider. Pure functions, so ordering and grouping are
 * tested without a browser.
 */

/**
 * `pending`: made here, not yet confirmed (maybe queued offline). `failed`: the server refused it
 * (kept with Retry and Discard). `sent`: the server's row.
 */
export type MessageState = 'pending' | 'sent' | 'failed';

/** One chat message, as `<flock-chat>` holds it. */
export interface ChatMessage {
  id: string;
  room: string;
  userId: string;
  authorName: string;
  /** The body; empty once deleted. */
  body: string;
  /** The server's time (ISO), or undefined while pending. */
  createdAt: string | undefined;
  editedAt: string | null;
  deletedAt: string | null;
  state: MessageState;
  /** Why the server refused it, for `failed` messages (or an edit of it). */
  error?: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A `flock_messages` row as a message; undefined when the row is not one. */
export function fromRow(row: Row): ChatMessage | undefined {
  const id = text(row.id);
  const userId = text(row.user_id);
  const createdAt = text(row.created_at);
  if (!id || !userId || !createdAt) return undefined;
  return {
    id,
    room: text(row.room) ?? '',
    userId,
    authorName: text(row.author_name) ?? '',
    body: text(row.body) ?? '',
    createdAt,
    editedAt: text(row.edited_at),
    deletedAt: text(row.deleted_at),
    state: 'sent',
  };
}

/** Messages this close together from one author are drawn as one group (one name, one avatar). */
const GROUP_GAP_MS = 5 * 60 * 1000;

export type TimelineRow =
  | { kind: 'day'; key: string; date: Date }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: ChatMessage; first: boolean };

function dayOf(message: ChatMessage, now: Date): Date {
  const at = message.createdAt ? new Date(Date.parse(message.createdAt.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))) : now;
  return Number.isNaN(at.getTime()) ? now : at;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * The rows for a run of messages: a day separator where the (local) day changes, an author's
 * name only at the start of a group, and the unread divider before `unreadFrom`'s message.
 */
export function timeline(messages: readonly ChatMessage[], unreadFrom: string | undefined, now = new Date()): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let before: ChatMessage | undefined;
  for (const message of messages) {
    const day = dayOf(message, now);
    const prevDay = before ? dayOf(before, now) : undefined;
    const newDay = !prevDay || !sameDay(prevDay, day);
    if (newDay) rows.push({ kind: 'day', key: `day:${day.toDateString()}`, date: day });
    const divider = message.id === unreadFrom;
    if (divider) rows.push({ kind: 'unread', key: 'unread' });
    const first = newDay || divider || !before || before.userId !== message.userId || day.getTime() - prevDay!.getTime() > GROUP_GAP_MS;
    rows.push({ kind: 'message', key: message.id, message, first });
    before = message;
  }
  return rows;
}
