import { LiveList } from '../live/live-list.js';
import type { RoomHost } from '../room-controller.js';
import { fromRow, type ChatMessage } from './timeline.js';

export interface HistoryOptions {
  pageSize(): number;
  changed(): void;
  /** A message from someone else arrived live (not from a page load or catch-up). */
  arrived(message: ChatMessage): void;
  /** Runs once each newest page is in (edits waiting in the outbox apply to what it brought). */
  reloaded(): void;
}

/**
 * The room's messages as the server holds them: a LiveList of `flock_messages` for the room,
 * over REST and postgres_changes on the room's channel, caught up from its watermark after each
 * resync (messages are appended, and edits of ones held arrive as changes). Confirmed messages
 * are keyed by id, so a row that arrives twice (live and in a catch-up read) is one message.
 */
export function chatHistory(host: RoomHost, options: HistoryOptions): LiveList<ChatMessage> {
  const list: LiveList<ChatMessage> = new LiveList<ChatMessage>(host, {
    source: (room) => ({ table: 'flock_messages', where: [{ column: 'room', op: 'eq', value: room.name }], filter: `room=eq.${room.name}` }),
    parse: (row, room) => {
      const message = fromRow(row);
      return message?.room === room.name ? message : undefined;
    },
    pageSize: options.pageSize,
    afterResync: 'catch-up',
    changed: options.changed,
    applied: (change, message, before) => {
      if (change.eventType === 'INSERT' && message && !before && message.userId !== list.room?.user?.id) options.arrived(message);
    },
    reloading: async () => options.reloaded,
  });
  return list;
}
