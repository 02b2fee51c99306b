import type { RowChange, QueuedWrite, Room, Row } from '../../connection/types.js';
import { applyEdit, DELETE, EDIT, editTarget, SEND, unsentMessages } from './pending.js';
import { compareMessages, fromRow, type ChatMessage } from './timeline.js';

export type HistoryState = 'idle' | 'loading' | 'ready' | 'error';

export interface ChatOptions {
  pageSize(): number;
  /** Something changed: render. */
  changed(): void;
  /** A message from someone else arrived live (not from a page load or catch-up). */
  arrived(message: ChatMessage): void;
  /** A message this user sent was refused by the server. */
  failed(message: ChatMessage, reason: string): void;
  /** An edit or delete was refused: it was rolled back. */
  refused(reason: string, message: ChatMessage | undefined): void;
}

/** Catch-up after a reconnect reads this many rows at a time, and gives up on a gap wider than `CATCH_UP_PAGES` pages. */
const CATCH_UP_PAGE = 200;
const CATCH_UP_PAGES = 10;
/** A failed catch-up is tried again after 1 s, then 2, 4… up to 30 s. */
const CATCH_UP_RETRY_MS = 1000;
const CATCH_UP_RETRY_MAX_MS = 30_000;
/** How long a sent message's own change may take before its row is read instead. */
const CONFIRM_AFTER_MS = 1500;

/**
 * The room's messages: history over REST, kept live by postgres_changes on the room's channel,
 * and this user's sends, edits and deletes through the Room's outbox.
 *
 * Confirmed messages are keyed by id, so a row that arrives twice (live and in a catch-up read)
 * is one message. Unconfirmed sends are read from the outbox itself, so after a reload they are
 * still shown, as `pending` (waiting to be sent) or `failed` (refused, with Retry and Discard);
 * a send becomes `sent` when its row arrives. Edits and deletes waiting in the outbox are shown
 * applied; a refused one is discarded and rolled back with the reason.
 */
export class ChatController {
  state: HistoryState = 'idle';
  error = '';
  /** More history exists before the oldest message held. */
  hasOlder = false;
  loadingOlder = false;
  readonly #confirmed = new Map<string, ChatMessage>();
  /** Sends made in this tab that the outbox may not list yet (it writes to IndexedDB first). */
  readonly #local = new Map<string, ChatMessage>();
  readonly #reported = new Set<string>();
  /** Edits and deletes seen waiting in the outbox, by write key. */
  readonly #edits = new Map<string, { id: string; values: Row; queued: boolean }>();
  #sorted: ChatMessage[] | undefined;
  #room: Room | undefined;
  #generation = 0;
  #retryTimer: number | undefined;
  #retryDelay = CATCH_UP_RETRY_MS / 2;
  /** Sends waiting for their row, with the timer that reads it if the change doesn't come. */
  readonly #confirming = new Map<string, number>();
  /**
   * The newest message up to which the room's history is held with no gap: catch-up reads after
   * it. It moves only with what is whole by construction — the newest page, each catch-up page,
   * and live inserts while `#live` — never with a row read back on its own (a send confirmed
   * while disconnected is newer than what others sent meanwhile, which would then be skipped).
   * Undefined: nothing held yet, so catch-up reads from the start.
   */
  #watermark: ChatMessage | undefined;
  /**
   * Live inserts follow on from the watermark: set once a load or catch-up has read up to the
   * present with the connection up, cleared the moment it drops or the channel re-joins (inserts
   * after a re-join but before the catch-up would otherwise leap the gap).
   */
  #live = false;
  /**
   * A reload is reading: a join (or re-join) meanwhile may have come after that read began, so
   * what was inserted in between is caught up once the read ends, rather than read twice.
   */
  #reloading = false;
  #catchUpAfterLoad = false;

  constructor(private readonly options: ChatOptions) {}

  watch(room: Room): () => void {
    this.#room = room;
    const unsubscribe = room.onChanges({ event: '*', table: 'flock_messages', filter: `room=eq.${room.name}` }, (change) => this.#apply(change));
    let loadedFor: string | undefined;
    const user = () => {
      if (room.user && room.user.id !== loadedFor) {
        loadedFor = room.user.id;
        void this.reload();
      }
    };
    const resync = () => {
      this.#live = false;
      void this.catchUp();
    };
    const writes = () => this.#writesChanged();
    const status = () => {
      if (room.connection.status !== 'connected') this.#live = false;
    };
    room.addEventListener('user', user);
    room.addEventListener('resync', resync);
    room.addEventListener('writes', writes);
    room.addEventListener('status', status);
    user();
    return () => {
      unsubscribe();
      room.removeEventListener('user', user);
      room.removeEventListener('resync', resync);
      room.removeEventListener('writes', writes);
      room.removeEventListener('status', status);
      window.clearTimeout(this.#retryTimer);
      for (const timer of this.#confirming.values()) window.clearTimeout(timer);
      this.#confirming.clear();
      this.#room = undefined;
      this.#generation++;
      this.#confirmed.clear();
      this.#local.clear();
      this.#edits.clear();
      this.#sorted = undefined;
      this.#watermark = undefined;
      this.#live = false;
      this.#reloading = false;
      this.#catchUpAfterLoad = false;
      this.state = 'idle';
    };
  }

  /** Every message held, in server order, unconfirmed sends last; with queued edits applied. */
  get messages(): readonly ChatMessage[] {
    return (this.#sorted ??= this.#build());
  }

  /** The newest page afresh (on start and on Try again). */
  async reload(): Promise<void> {
    const room = this.#room;
    if (!room?.user) return;
    const generation = ++this.#generation;
    if (this.#confirmed.size === 0) this.state = 'loading';
    this.options.changed();
    // Inserts arriving while the page is read may be newer than it: they don't move the mark.
    this.#live = false;
    this.#reloading = true;
    try {
      const page = await this.#page(room, undefined);
      if (generation !== this.#generation) return;
      this.#confirmed.clear();
      this.#take(page);
      // The newest page (newest first) reaches the present: nothing after its first row was missed.
      this.#watermark = newestOf(page);
      this.#live = room.connection.status === 'connected';
      this.state = 'ready';
      this.error = '';
      // Edits waiting in the outbox since before a reload apply to messages now held.
      this.#writesChanged();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.state = 'error';
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this.#generation) this.#reloading = false;
    }
    this.#invalidate();
    if (this.#catchUpAfterLoad && this.state === 'ready') {
      this.#catchUpAfterLoad = false;
      void this.catchUp();
    }
  }

  /** The page before the oldest message held; resolves with how many were added. */
  async older(): Promise<number> {
    const room = this.#room;
    const oldest = this.messages.find((m) => m.createdAt);
    if (!room || !oldest || !this.hasOlder || this.loadingOlder) return 0;
    this.loadingOlder = true;
    this.options.changed();
    const generation = this.#generation;
    try {
      const page = await this.#page(room, oldest);
      if (generation !== this.#generation) return 0;
      return this.#take(page);
    } catch {
      return 0;
    } finally {
      this.loadingOlder = false;
      this.#invalidate();
    }
  }

  /**
   * Everything after the watermark: what was missed while disconnected. Rows held already (sent
   * live, or read back) are read again and stay one message each, keyed by id.
   */
  async catchUp(): Promise<void> {
    const room = this.#room;
    window.clearTimeout(this.#retryTimer);
    if (!room?.user) return;
    if (this.#reloading) {
      this.#catchUpAfterLoad = true;
      return;
    }
    if (this.state !== 'ready') return this.reload();
    const generation = this.#generation;
    this.#live = false;
    try {
      for (let pages = 0; pages < CATCH_UP_PAGES; pages++) {
        const rows = await pageOf(room, 'after', this.#watermark, CATCH_UP_PAGE);
        if (generation !== this.#generation) return;
        this.#take(rows);
        // Oldest first and contiguous with the mark: its last row is the new mark.
        this.#watermark = newestOf([...rows].reverse()) ?? this.#watermark;
        this.#invalidate();
        if (rows.length < CATCH_UP_PAGE) {
          this.#retryDelay = CATCH_UP_RETRY_MS / 2;
          // Read up to the present: live inserts follow on, unless the connection dropped meanwhile.
          this.#live = room.connection.status === 'connected';
          return;
        }
      }
      // Away for too long to walk the gap: start again from the newest page.
      await this.reload();
    } catch {
      // The channel is back but the read failed (the server still starting, a token being
      // refreshed): try again shortly, or nothing missed would show until the next reconnect.
      if (generation === this.#generation) this.#catchUpLater();
    }
  }

  #catchUpLater(): void {
    window.clearTimeout(this.#retryTimer);
    this.#retryDelay = Math.min(CATCH_UP_RETRY_MAX_MS, this.#retryDelay * 2);
    this.#retryTimer = window.setTimeout(() => void this.catchUp(), this.#retryDelay);
  }

  /** Sends `body` as this user; the message shows at once as pending. */
  async send(body: string): Promise<ChatMessage | undefined> {
    const room = this.#room;
    const me = room?.user;
    if (!room || !me) return undefined;
    const id = crypto.randomUUID();
    const message: ChatMessage = { id, room: room.name, userId: me.id, authorName: me.name, body, createdAt: undefined, editedAt: null, deletedAt: null, state: 'pending' };
    this.#local.set(id, message);
    this.#invalidate();
    const values: Row = { id, room: room.name, user_id: me.id, author_name: me.name, body };
    // Once it has left the outbox, `writesChanged` waits for its row (it is in `local`).
    await room.write({ key: id, kind: SEND, label: body.slice(0, 60), write: { op: 'create', table: 'flock_messages', values } });
    this.#writesChanged();
    return message;
  }

  /** Edits one of this user's messages. */
  edit(id: string, body: string): Promise<void> {
    return this.#change(id, EDIT, { body });
  }

  /** Deletes one of this user's messages (it stays as "deleted"); an unsent one is discarded. */
  async remove(id: string): Promise<void> {
    if (!this.#confirmed.has(id)) return this.discard(id);
    return this.#change(id, DELETE, { body: '', deleted_at: new Date().toISOString() });
  }

  /** Sends a failed message again. */
  async retry(id: string): Promise<void> {
    const room = this.#room;
    if (!room) return;
    this.#reported.delete(id);
    const result = await room.retryWrite(id);
    if (result?.state === 'sent') this.#confirm(id);
    this.#writesChanged();
  }

  /** Drops an unsent (pending or failed) message for good. */
  async discard(id: string): Promise<void> {
    this.#local.delete(id);
    await this.#room?.discardWrite(id);
    this.#invalidate();
  }

  async #change(id: string, kind: string, values: Row): Promise<void> {
    const room = this.#room;
    const message = this.messages.find((m) => m.id === id);
    if (!room || !message) return;
    // Each change is its own write, so two edits made offline both go, in order.
    const key = `${kind}:${id}:${crypto.randomUUID()}`;
    const label = message.body.slice(0, 60);
    // Shown applied at once, before the outbox has even stored it.
    this.#edits.set(key, { id, values, queued: false });
    this.#invalidate();
    const result = await room.write({ key, kind, label, write: { op: 'update', table: 'flock_messages', values, where: [{ column: 'id', op: 'eq', value: id }], requireMatch: true } });
    const edit = this.#edits.get(key);
    if (edit && result.state === 'sent') {
      this.#edits.delete(key);
      this.#applied(id, values);
    } else if (edit && result.state === 'queued') {
      edit.queued = true;
    }
    this.#writesChanged();
  }

  /** The outbox changed: sends that failed are reported once; refused edits are rolled back. */
  #writesChanged(): void {
    const room = this.#room;
    if (!room) return;
    for (const entry of room.writes) {
      if (entry.state !== 'failed' || this.#reported.has(entry.key)) continue;
      const kind = entry.payload.kind;
      const values = entry.payload.write.op === 'delete' ? undefined : entry.payload.write.values;
      if (kind === SEND && values?.room === room.name) {
        this.#reported.add(entry.key);
        const message = this.messages.find((m) => m.id === entry.key);
        if (message) this.options.failed({ ...message, state: 'failed', error: entry.error ?? '' }, entry.error ?? '');
      } else if ((kind === EDIT || kind === DELETE) && this.#targetOf(entry)) {
        const id = this.#targetOf(entry)!;
        this.#reported.add(entry.key);
        this.#edits.delete(entry.key);
        void room.discardWrite(entry.key);
        this.options.refused(entry.error ?? '', this.#confirmed.get(id));
        // Rolled back to what the server holds.
        void this.#fetchRow(id);
      }
    }
    // Edits waiting in the outbox (also those from before a reload) are shown applied; one that
    // left it without failing was applied by the server: keep showing it until its row arrives.
    const present = new Set(room.writes.map((w) => w.key));
    for (const entry of room.writes) {
      const id = entry.state === 'pending' ? this.#targetOf(entry) : undefined;
      if (id && entry.payload.write.op === 'update') this.#edits.set(entry.key, { id, values: entry.payload.write.values, queued: true });
    }
    for (const [key, edit] of this.#edits) {
      if (!edit.queued || present.has(key)) continue;
      this.#edits.delete(key);
      this.#applied(edit.id, edit.values);
    }
    // A send that left the outbox without failing was applied: its row is the confirmation.
    for (const [id, message] of this.#local) {
      if (this.#confirmed.has(id)) this.#local.delete(id);
      else if (message.state === 'pending' && !room.writes.some((w) => w.key === id)) this.#confirm(id);
    }
    this.#invalidate();
  }

  #applied(id: string, values: Row): void {
    const held = this.#confirmed.get(id);
    if (held) this.#confirmed.set(id, applyEdit(held, values));
  }

  /** The held message an edit or delete in the outbox targets. */
  #targetOf(entry: QueuedWrite): string | undefined {
    const id = editTarget(entry);
    return id !== undefined && this.messages.some((m) => m.id === id) ? id : undefined;
  }

  /**
   * A send the server applied is confirmed by its row's live change, normally within a few tens
   * of milliseconds. Only if that hasn't come after `CONFIRM_AFTER_MS` (a change lost while the
   * channel re-joined) is the row read — once per message, however often this is asked: an
   * immediate read would compete with the very delivery it waits for.
   */
  #confirm(id: string): void {
    if (this.#confirmed.has(id) || this.#confirming.has(id)) return;
    this.#confirming.set(
      id,
      window.setTimeout(() => {
        this.#confirming.delete(id);
        if (!this.#confirmed.has(id)) void this.#fetchRow(id);
      }, CONFIRM_AFTER_MS),
    );
  }

  /** Reads one message's row as the server holds it. */
  async #fetchRow(id: string): Promise<void> {
    const room = this.#room;
    if (!room) return;
    try {
      const { rows } = await room.rows({ table: 'flock_messages', where: [{ column: 'id', op: 'eq', value: id }], limit: 1 });
      if (room === this.#room && rows.length > 0) {
        this.#take(rows);
        this.#invalidate();
      }
    } catch {
      // The live change or the next catch-up will bring it.
    }
  }

  #apply(change: RowChange): void {
    const room = this.#room;
    if (!room) return;
    if (change.eventType === 'DELETE') {
      const id = typeof change.old.id === 'string' ? change.old.id : undefined;
      if (id && this.#confirmed.delete(id)) this.#invalidate();
      return;
    }
    const message = fromRow(change.new);
    if (!message || message.room !== room.name) return;
    const known = this.#confirmed.has(message.id) || this.#local.has(message.id);
    if (change.eventType === 'UPDATE' && !this.#confirmed.has(message.id)) {
      // An edit of a message older than the history held is not ours to show.
      const oldest = this.messages.find((m) => m.createdAt);
      if (oldest && compareMessages(message, oldest) < 0) return;
    }
    this.#take([change.new]);
    if (change.eventType === 'INSERT' && this.#live && (!this.#watermark || compareMessages(this.#watermark, message) < 0)) this.#watermark = message;
    this.#invalidate();
    if (!known && change.eventType === 'INSERT' && message.userId !== room.user?.id) this.options.arrived(message);
  }

  /** Adds rows as confirmed messages; returns how many were new. */
  #take(rows: readonly Row[]): number {
    let added = 0;
    for (const row of rows) {
      const message = fromRow(row);
      if (!message) continue;
      if (!this.#confirmed.has(message.id)) added++;
      this.#confirmed.set(message.id, message);
      this.#local.delete(message.id);
    }
    return added;
  }

  async #page(room: Room, before: ChatMessage | undefined): Promise<Row[]> {
    const size = this.options.pageSize();
    const rows = await pageOf(room, 'before', before, size + 1);
    this.hasOlder = rows.length > size;
    return rows.slice(0, size);
  }

  #invalidate(): void {
    this.#sorted = undefined;
    this.options.changed();
  }

  #build(): ChatMessage[] {
    const edits = new Map<string, Row>();
    for (const { id, values } of this.#edits.values()) edits.set(id, { ...edits.get(id), ...values });
    const held = [...this.#confirmed.values()].map((m) => {
      const edit = edits.get(m.id);
      return edit && !m.deletedAt ? { ...applyEdit(m, edit), state: 'pending' as const } : m;
    });
    // A local send the outbox has already let go of (sent, its row not yet here) stays pending.
    return [...held.sort(compareMessages), ...unsentMessages(this.#room?.writes ?? [], this.#room?.name ?? '', this.#confirmed, this.#local)];
  }
}

/** The first row of `rows` (newest first) that is a message. */
function newestOf(rows: readonly Row[]): ChatMessage | undefined {
  for (const row of rows) {
    const message = fromRow(row);
    if (message) return message;
  }
  return undefined;
}

/**
 * Up to `limit` of the room's messages strictly `after` (oldest first) or `before` (newest
 * first) `from` in `(created_at, id)` order, the history index's; from either end without `from`.
 */
async function pageOf(room: Room, side: 'after' | 'before', from: ChatMessage | undefined, limit: number): Promise<Row[]> {
  const ascending = side === 'after';
  const { rows } = await room.rows({
    table: 'flock_messages',
    where: [{ column: 'room', op: 'eq', value: room.name }],
    ...(from ? { [side]: { columns: ['created_at', 'id'], values: [from.createdAt!, from.id] } } : {}),
    order: [
      { column: 'created_at', ascending },
      { column: 'id', ascending },
    ],
    limit,
  });
  return rows;
}
