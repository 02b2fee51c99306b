import type { QueuedWrite, Room, Row } from '../../connection/types.js';
import type { LiveList } from '../live/live-list.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';
import { applyEdit, DELETE, EDIT, editTarget, SEND } from './pending.js';
import type { ChatMessage } from './timeline.js';

export interface DraftOptions {
  /** Every message shown (held and unsent, edits applied). */
  messages(): readonly ChatMessage[];
  /** Something changed: render. */
  changed(): void;
  /** A message this user sent was refused by the server. */
  failed(message: ChatMessage, reason: string): void;
  /** An edit or delete was refused: it was rolled back. */
  refused(reason: string, message: ChatMessage | undefined): void;
}

/** How long a sent message's own change may take before its row is read instead. */
export const CONFIRM_AFTER_MS = 1500;

/**
 * This user's sends, edits and deletes, through the Room's outbox. Unconfirmed sends are read
 * from the outbox itself, so after a reload they still show, as `pending` (waiting to be sent)
 * or `failed` (refused, with Retry and Discard); a send becomes `sent` when its row reaches the
 * history. Edits and deletes waiting in the outbox are shown applied; a refused one is discarded
 * and rolled back with the reason.
 */
export class ChatDrafts extends RoomController {
  /** Sends made in this tab that the outbox may not list yet (it writes to IndexedDB first). */
  readonly local = new Map<string, ChatMessage>();
  /** Edits and deletes seen waiting in the outbox, by write key. */
  readonly edits = new Map<string, { id: string; values: Row; queued: boolean }>();
  readonly #reported = new Set<string>();
  /** Sends waiting for their row, with the timer that reads it if the change doesn't come. */
  readonly #confirming = new Map<string, number>();

  constructor(
    host: RoomHost,
    private readonly history: LiveList<ChatMessage>,
    private readonly options: DraftOptions,
  ) {
    super(host);
  }

  protected override roomChanged(room: Room, signal: AbortSignal): void {
    room.addEventListener('writes', () => this.writesChanged(), { signal });
    onAbort(signal, () => {
      this.local.clear();
      this.edits.clear();
      this.#confirming.clear();
    });
  }

  /** Sends `body` as this user; the message shows at once as pending. */
  async send(body: string): Promise<ChatMessage | undefined> {
    const room = this.room;
    const me = room?.user;
    if (!room || !me) return undefined;
    const id = crypto.randomUUID();
    const message: ChatMessage = { id, room: room.name, userId: me.id, authorName: me.name, body, createdAt: undefined, editedAt: null, deletedAt: null, state: 'pending' };
    this.local.set(id, message);
    this.options.changed();
    const values: Row = { id, room: room.name, user_id: me.id, author_name: me.name, body };
    // Once it has left the outbox, `writesChanged` waits for its row (it is in `local`).
    await room.write({ key: id, kind: SEND, label: body.slice(0, 60), write: { op: 'create', table: 'flock_messages', values } });
    this.writesChanged();
    return message;
  }

  /** Edits one of this user's messages. */
  edit(id: string, body: string): Promise<void> {
    return this.#change(id, EDIT, { body });
  }

  /** Deletes one of this user's messages (it stays as "deleted"); an unsent one is discarded. */
  async remove(id: string): Promise<void> {
    if (!this.history.get(id)) return this.discard(id);
    return this.#change(id, DELETE, { body: '', deleted_at: new Date().toISOString() });
  }

  /** Sends a failed message again. */
  async retry(id: string): Promise<void> {
    const room = this.room;
    if (!room) return;
    this.#reported.delete(id);
    const result = await room.retryWrite(id);
    if (result?.state === 'sent') this.#confirm(id);
    this.writesChanged();
  }

  /** Drops an unsent (pending or failed) message for good. */
  async discard(id: string): Promise<void> {
    this.local.delete(id);
    await this.room?.discardWrite(id);
    this.options.changed();
  }

  async #change(id: string, kind: string, values: Row): Promise<void> {
    const room = this.room;
    const message = this.options.messages().find((m) => m.id === id);
    if (!room || !message) return;
    // Each change is its own write, so two edits made offline both go, in order.
    const key = `${kind}:${id}:${crypto.randomUUID()}`;
    const label = message.body.slice(0, 60);
    // Shown applied at once, before the outbox has even stored it.
    this.edits.set(key, { id, values, queued: false });
    this.options.changed();
    const result = await room.write({ key, kind, label, write: { op: 'update', table: 'flock_messages', values, where: [{ column: 'id', op: 'eq', value: id }], requireMatch: true } });
    const edit = this.edits.get(key);
    if (edit && result.state === 'sent') {
      this.edits.delete(key);
      this.#applied(id, values);
    } else if (edit && result.state === 'queued') {
      edit.queued = true;
    }
    this.writesChanged();
  }

  /** The outbox changed (or a page came in): sends that failed are reported once; refused edits are rolled back. */
  writesChanged(): void {
    const room = this.room;
    if (!room) return;
    for (const entry of room.writes) {
      if (entry.state !== 'failed' || this.#reported.has(entry.key)) continue;
      const kind = entry.payload.kind;
      const values = entry.payload.write.op === 'delete' ? undefined : entry.payload.write.values;
      const id = this.#targetOf(entry);
      if (kind === SEND && values?.room === room.name) {
        this.#reported.add(entry.key);
        const message = this.options.messages().find((m) => m.id === entry.key);
        if (message) this.options.failed({ ...message, state: 'failed', error: entry.error ?? '' }, entry.error ?? '');
      } else if ((kind === EDIT || kind === DELETE) && id) {
        this.#reported.add(entry.key);
        this.edits.delete(entry.key);
        void room.discardWrite(entry.key);
        this.options.refused(entry.error ?? '', this.history.get(id));
        // Rolled back to what the server holds.
        void this.#fetchRow(id);
      }
    }
    // Edits waiting in the outbox (also those from before a reload) are shown applied; one that
    // left it without failing was applied by the server: keep showing it until its row arrives.
    const present = new Set(room.writes.map((w) => w.key));
    for (const entry of room.writes) {
      const id = entry.state === 'pending' ? this.#targetOf(entry) : undefined;
      if (id && entry.payload.write.op === 'update') this.edits.set(entry.key, { id, values: entry.payload.write.values, queued: true });
    }
    for (const [key, edit] of this.edits) {
      if (!edit.queued || present.has(key)) continue;
      this.edits.delete(key);
      this.#applied(edit.id, edit.values);
    }
    // A send that left the outbox without failing was applied: its row is the confirmation.
    for (const [id, message] of this.local) {
      if (this.history.get(id)) this.local.delete(id);
      else if (message.state === 'pending' && !present.has(id)) this.#confirm(id);
    }
    this.options.changed();
  }

  #applied(id: string, values: Row): void {
    const held = this.history.get(id);
    if (held) this.history.put(applyEdit(held, values));
  }

  /** The shown message an edit or delete in the outbox targets. */
  #targetOf(entry: QueuedWrite): string | undefined {
    const id = editTarget(entry);
    return id !== undefined && this.options.messages().some((m) => m.id === id) ? id : undefined;
  }

  /**
   * A send the server applied is confirmed by its row's live change, normally within a few tens
   * of milliseconds. Only if that hasn't come after `CONFIRM_AFTER_MS` (a change lost while the
   * channel re-joined) is the row read — once per message, however often this is asked: an
   * immediate read would compete with the very delivery it waits for.
   */
  #confirm(id: string): void {
    if (this.history.get(id) || this.#confirming.has(id)) return;
    this.#confirming.set(
      id,
      this.timers.setTimeout(() => {
        this.#confirming.delete(id);
        if (!this.history.get(id)) void this.#fetchRow(id);
      }, CONFIRM_AFTER_MS),
    );
  }

  /** Reads one message's row as the server holds it. */
  async #fetchRow(id: string): Promise<void> {
    const room = this.room;
    if (!room) return;
    try {
      const { rows } = await room.rows({ table: 'flock_messages', where: [{ column: 'id', op: 'eq', value: id }], limit: 1 });
      if (room === this.room && rows.length > 0) this.history.take(rows);
    } catch {
      // The live change or the next catch-up will bring it.
    }
  }
}
