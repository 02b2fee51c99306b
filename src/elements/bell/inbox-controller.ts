import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RowChange, RowFilter, Room, Row, Write } from '../../connection/types.js';
import { timeKey } from '../chat/timeline.js';

/** One notification, as the inbox shows it. */
export interface FlockNotification {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  url: string | null;
  actorName: string | null;
  createdAt: string;
  readAt: string | null;
}

export type InboxState = 'idle' | 'loading' | 'ready' | 'error';

export interface InboxOptions {
  pageSize(): number;
  /** Something changed: render. */
  changed(): void;
  /** A notification arrived live (not from a page load or a resync). */
  arrived(notification: FlockNotification): void;
  /** The server refused an action: it was rolled back. */
  refused(reason: string): void;
}

const RECOUNT_MS = 400;

function toNotification(row: Row): FlockNotification {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: String(row.id),
    kind: text(row.kind) ?? 'info',
    title: text(row.title) ?? '',
    body: text(row.body),
    url: text(row.url),
    actorName: text(row.actor_name),
    createdAt: text(row.created_at) ?? '',
    readAt: text(row.read_at),
  };
}

/** Newest first, by the server's time (REST and Realtime spell timestamps differently). */
const newestFirst = (a: FlockNotification, b: FlockNotification): number => (timeKey(a.createdAt) < timeKey(b.createdAt) ? 1 : -1);

/** The latest of these server times, as spelled; undefined for none. */
function latest(times: readonly (string | undefined)[]): string | undefined {
  let newest: string | undefined;
  for (const at of times) if (at !== undefined && (newest === undefined || timeKey(at) > timeKey(newest))) newest = at;
  return newest;
}

/**
 * The current user's notifications and their unread count. The list is paged over REST and
 * kept live by postgres_changes on the user's own channel (`user_id=eq.<me>`; RLS makes sure
 * nobody else's rows arrive even without the filter).
 *
 * The count never drifts: it moves at once with each change and each action (so the badge is
 * instant), but every change also schedules a recount from the server, whose exact count then
 * replaces it. A change that only confirms what this tab already did (its own optimistic mark,
 * echoed back by the database) moves nothing, so nothing is counted twice — in this tab or in
 * another tab of the same user, which sees the database change once.
 */
export class InboxController implements ReactiveController {
  items: FlockNotification[] = [];
  unread = 0;
  state: InboxState = 'idle';
  error = '';
  hasMore = false;
  #room: Room | undefined;
  #recountTimer: number | undefined;
  #generation = 0;
  /**
   * The newest unread notification's time the badge stands for: from the same query as the
   * server's count, and from each unread arrival. The page held may lack some of them (read at a
   * different moment than the count), so "mark all read" is bounded by this, not by the page.
   */
  #newestUnreadAt: string | undefined;
  /** Inserts heard while a reload reads: its page may predate them, so they are kept with it. */
  
  #heardDuringReload: FlockNotification[] | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: InboxOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  watch(room: Room): () => void {
    this.#room = room;
    let unsubscribe: (() => void) | undefined;
    let boundTo: string | undefined;
    const bind = () => {
      const me = room.user;
      if (!me || me.id === boundTo) return;
      boundTo = me.id;
      unsubscribe?.();
      unsubscribe = room.onChanges({ event: '*', table: 'flock_notifications', filter: `user_id=eq.${me.id}` }, (c) => this.#apply(c), 'user');
      void this.reload();
    };
    const resync = () => void this.reload();
    room.addEventListener('user', bind);
    room.addEventListener('resync', resync);
    bind();
    return () => {
      unsubscribe?.();
      room.removeEventListener('user', bind);
      room.removeEventListener('resync', resync);
      window.clearTimeout(this.#recountTimer);
      this.#room = undefined;
      this.#generation++;
      this.items = [];
      this.unread = 0;
      this.state = 'idle';
    };
  }

  /** The first page and the exact count, afresh (on start, after a reconnect, on Retry). */
  async reload(): Promise<void> {
    const room = this.#room;
    if (!room?.user) return;
    const generation = ++this.#generation;
    this.state = this.items.length === 0 ? 'loading' : this.state;
    this.options.changed();
    const heard: FlockNotification[] = (this.#heardDuringReload = []);
    try {
      const [page, count] = await Promise.all([this.#page(room, undefined), this.#count(room)]);
      if (generation !== this.#generation) return;
      const inPage = new Set(page.map((n) => n.id));
      this.items = [...heard.filter((n) => !inPage.has(n.id)), ...page].sort(newestFirst);
      this.#counted(count);
      // The count may predate what was heard meanwhile too: ask again once things settle.
      if (heard.length > 0) this.#scheduleRecount();
      this.state = 'ready';
      this.error = '';
    } catch (error) {
      if (generation !== this.#generation) return;
      this.state = 'error';
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (this.#heardDuringReload === heard) this.#heardDuringReload = undefined;
    }
    this.options.changed();
  }

  /** The next page, older than the oldest held. */
  async more(): Promise<void> {
    const room = this.#room;
    const last = this.items.at(-1);
    if (!room || !last) return;
    const older = await this.#page(room, last);
    const known = new Set(this.items.map((n) => n.id));
    this.items = [...this.items, ...older.filter((n) => !known.has(n.id))];
    this.options.changed();
  }

  markRead(id: string, read: boolean): Promise<void> {
    const item = this.items.find((n) => n.id === id);
    if (!item || (item.readAt !== null) === read) return Promise.resolve();
    const before = item.readAt;
    const readAt = read ? new Date().toISOString() : null;
    return this.#act(
      `notification.${read ? 'read' : 'unread'}`,
      id,
      { op: 'update', table: 'flock_notifications', values: { read_at: readAt }, where: [{ column: 'id', op: 'eq', value: id }], requireMatch: true },
      () => this.#setRead(id, readAt),
      () => this.#setRead(id, before),
    );
  }

  /**
   * Marks read what the user was shown: every unread notification up to the newest one the badge
   * counted or the list held at the click, the older ones not paged in included. The bound travels with the write, so one
   * queued offline and sent later leaves unread what arrived after the click.
   */
  markAllRead(): Promise<void> {
    const me = this.#room?.user;
    if (!me) return Promise.resolve();
    const newest = latest([this.#newestUnreadAt, ...this.items.filter((n) => n.readAt === null).map((n) => n.createdAt)]);
    const unreadBefore = this.items.filter((n) => n.readAt === null).map((n) => n.id);
    const countBefore = this.unread;
    const now = new Date().toISOString();
    const where: RowFilter[] = [
      { column: 'user_id', op: 'eq', value: me.id },
      { column: 'read_at', op: 'is', value: null },
      // Only what had arrived when the user asked, however late the write is sent: bounded by the
      // newest unread the badge and the list stood for, in the server's own timestamp (compared
      // by Postgres, not by this clock). With nothing unread known, "all" is all.
      ...(newest ? [{ column: 'created_at', op: 'lte', value: newest } satisfies RowFilter] : []),
    ];
    return this.#act(
      'notification.read-all',
      me.id,
      { op: 'update', table: 'flock_notifications', values: { read_at: now }, where },
      () => {
        this.items = this.items.map((n) => (n.readAt === null ? { ...n, readAt: now } : n));
        this.unread = 0;
      },
      () => {
        this.items = this.items.map((n) => (unreadBefore.includes(n.id) ? { ...n, readAt: null } : n));
        this.unread = countBefore;
      },
    );
  }

  remove(id: string): Promise<void> {
    const index = this.items.findIndex((n) => n.id === id);
    const item = this.items[index];
    if (!item) return Promise.resolve();
    return this.#act(
      'notification.delete',
      id,
      { op: 'delete', table: 'flock_notifications', where: [{ column: 'id', op: 'eq', value: id }], requireMatch: true },
      () => {
        this.items = this.items.filter((n) => n.id !== id);
        if (item.readAt === null) this.unread = Math.max(0, this.unread - 1);
      },
      () => {
        this.items = [...this.items.slice(0, index), item, ...this.items.slice(index)];
        if (item.readAt === null) this.unread++;
      },
    );
  }

  /** Applies an action at once, sends it through the outbox, and undoes it if the server refuses. */
  async #act(kind: string, id: string, write: Write, apply: () => void, undo: () => void): Promise<void> {
    const room = this.#room;
    if (!room) return;
    apply();
    this.options.changed();
    // Each action is its own write: read, unread and read again must all go out, in order.
    const key = `${kind}:${id}:${crypto.randomUUID()}`;
    const result = await room.write({ key, kind, label: kind, write });
    if (result.state === 'failed') {
      // Refused for good: undone here, and not left waiting in the outbox.
      await room.discardWrite(key).catch(() => undefined);
      undo();
      this.options.refused(result.reason);
      this.options.changed();
      this.#scheduleRecount();
    }
  }

  #setRead(id: string, readAt: string | null): void {
    const item = this.items.find((n) => n.id === id);
    if (!item || (item.readAt === null) === (readAt === null)) return;
    this.unread = Math.max(0, this.unread + (readAt === null ? 1 : -1));
    this.items = this.items.map((n) => (n.id === id ? { ...n, readAt } : n));
  }

  #apply(change: RowChange): void {
    if (change.eventType === 'INSERT') {
      const arrived = toNotification(change.new);
      if (!this.items.some((n) => n.id === arrived.id)) {
        this.items = [arrived, ...this.items].sort(newestFirst);
        this.#heardDuringReload?.push(arrived);
        if (arrived.readAt === null) {
          this.unread++;
          this.#newestUnreadAt = latest([this.#newestUnreadAt, arrived.createdAt]);
        }
        this.options.arrived(arrived);
      }
    } else if (change.eventType === 'UPDATE') {
      const next = toNotification(change.new);
      const held = this.items.find((n) => n.id === next.id);
      if (held) this.#setRead(next.id, next.readAt);
      else if ((change.old.read_at ?? null) === null && next.readAt !== null) this.unread = Math.max(0, this.unread - 1);
      else if (change.old.read_at != null && next.readAt === null) this.unread++;
      if (held) this.items = this.items.map((n) => (n.id === next.id ? { ...next } : n));
    } else {
      const id = String(change.old.id);
      const held = this.items.find((n) => n.id === id);
      if (held) {
        this.items = this.items.filter((n) => n.id !== id);
        if (held.readAt === null) this.unread = Math.max(0, this.unread - 1);
      } else if (change.old.read_at === null) {
        this.unread = Math.max(0, this.unread - 1);
      }
    }
    this.options.changed();
    this.#scheduleRecount();
  }

  /** The server's exact count replaces the running one shortly after changes settle. */
  #scheduleRecount(): void {
    window.clearTimeout(this.#recountTimer);
    this.#recountTimer = window.setTimeout(async () => {
      const room = this.#room;
      if (!room) return;
      const generation = this.#generation;
      try {
        const count = await this.#count(room);
        // A write still queued would be undone by a stale count: wait for it instead.
        if (generation === this.#generation && room.writes.every((w) => !w.kind.startsWith('notification.') || w.state === 'failed')) {
          this.#counted(count);
          this.options.changed();
        }
      } catch {
        // Offline: the running count stands until the next change or resync.
      }
    }, RECOUNT_MS);
  }

  async #page(room: Room, after: FlockNotification | undefined): Promise<FlockNotification[]> {
    const { rows } = await room.rows({
      table: 'flock_notifications',
      where: [{ column: 'user_id', op: 'eq', value: room.user!.id }],
      ...(after ? { before: { columns: ['created_at', 'id'], values: [after.createdAt, after.id] } } : {}),
      order: [
        { column: 'created_at', ascending: false },
        { column: 'id', ascending: false },
      ],
      limit: this.options.pageSize() + 1,
    });
    this.hasMore = rows.length > this.options.pageSize();
    return rows.slice(0, this.options.pageSize()).map(toNotification);
  }

  /** The exact unread count, and the newest unread's time, in one read: the two agree. */
  async #count(room: Room): Promise<{ count: number; newestAt: string | undefined }> {
    const { rows, count } = await room.rows({
      table: 'flock_notifications',
      columns: 'created_at',
      where: [
        { column: 'user_id', op: 'eq', value: room.user!.id },
        { column: 'read_at', op: 'is', value: null },
      ],
      order: [{ column: 'created_at', ascending: false }],
      limit: 1,
      count: true,
    });
    const newestAt = rows[0]?.created_at;
    return { count: count ?? 0, newestAt: typeof newestAt === 'string' ? newestAt : undefined };
  }

  /** Takes the server's count as the badge, and what it stands for as the bound of "mark all read". */
  #counted(counted: { count: number; newestAt: string | undefined }): void {
    this.unread = counted.count;
    this.#newestUnreadAt = counted.newestAt;
  }
}
