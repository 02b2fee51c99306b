import type { QueuedWrite, Row } from '../../connection/types.js';
import type { ChatMessage } from './timeline.js';

/**
 * How the Room's outbox reads as chat messages: sends not yet confirmed become `pending` or
 * `failed` messages (so they survive a reload with the outbox), and edits and deletes not yet
 * confirmed are drawn applied. Pure functions over outbox entries and messages.
 */

export const SEND = 'chat.send';
export const EDIT = 'chat.edit';
export const DELETE = 'chat.delete';

/** The message id an edit or delete of `flock_messages` targets. */
export function editTarget(entry: QueuedWrite): string | undefined {
  const write = entry.payload.write;
  if (write.op !== 'update' || write.table !== 'flock_messages') return undefined;
  const where = write.where.find((f) => f.column === 'id');
  return typeof where?.value === 'string' ? where.value : undefined;
}

/**
 * Sends for `room` waiting in the outbox (or refused), with this tab's own `local` sends that
 * the outbox may not list yet, in the order they were made; confirmed ones are left out.
 */
export function unsentMessages(writes: readonly QueuedWrite[], room: string, confirmed: { get(id: string): ChatMessage | undefined }, local: ReadonlyMap<string, ChatMessage>): ChatMessage[] {
  const unsent = new Map([...local].filter(([id]) => !confirmed.get(id)));
  for (const entry of writes) {
    const { kind, write } = entry.payload;
    if (kind !== SEND || write.op !== 'create' || write.values.room !== room || confirmed.get(entry.key)) continue;
    const v = write.values;
    unsent.set(entry.key, {
      id: entry.key,
      room,
      userId: String(v.user_id),
      authorName: String(v.author_name ?? ''),
      body: String(v.body ?? ''),
      createdAt: undefined,
      editedAt: null,
      deletedAt: null,
      ...unsent.get(entry.key),
      state: entry.state === 'failed' ? 'failed' : 'pending',
      ...(entry.error ? { error: entry.error } : {}),
    });
  }
  return [...unsent.values()];
}

/** `message` with an edit or delete applied (`values` as the write sends them). */
export function applyEdit(message: ChatMessage, values: Row): ChatMessage {
  if (message.deletedAt) return message;
  if (values.deleted_at) return { ...message, body: '', deletedAt: String(values.deleted_at) };
  return { ...message, body: String(values.body ?? message.body), editedAt: message.editedAt ?? new Date().toISOString() };
}
