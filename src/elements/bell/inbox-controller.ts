import type { RowChange, RowFilter, Room, Row, Write } from '../../connection/types.js';
import { LIST, LiveList } from '../live/live-list.js';
import { timeKey } from '../live/server-time.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';

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

/** The latest of these server times, as spelled; undefined for none. */
function latest(times: readonly (string | undefined)[]): string | undefined {
  let newest: string | undefined;
  for (const at of times) if (at !== undefined && (newest === undefined || timeKey(at) > timeKey(newest))) newest = at;
  return newest;
}

/**
 * The current user's notifications and their unread count. The list is a LiveList of the
 * user's rows, over REST and postgres_changes on the user's own channel (`user_id=eq.<me>`; RLS
 * makes sure nobody else's rows arrive even without the filter), read afresh after each resync
 * (a notification changes in place — read, unread, deleted — so a catch-up of newer rows would
 * miss what another tab did meanwhile).
 *
 * The count never drifts: it moves at once with each change and each action (so the badge is
 * instant), but every change also schedules a recount from the server, whose exact count then
 * replaces it. A change that only confirms what this tab already did (its own optimistic mark,
 * echoed back by the database) moves nothing, so nothing is counted twice — in this tab or in
 * another tab of the same user, which sees the database change once.
 */
export class InboxController extends RoomController {
  unread = 0;
  readonly list: LiveList<FlockNotification>;
  #sorted: FlockNotification[] | undefined;
  /**
   * The newest unread notification's time the badge stands for: from the same query as the
   * server's count, and from each unread arrival. The page held may lack some of them (read at a
   * different moment than the count), so "mark all read" is bounded by this, not by the page.
   */
  #newestUnreadAt: string | undefined;
  /** A change was heard while a reload read: its count may predate it. */
  #heard = false;
  /** The recount in flight: a reload (whose count is newer) aborts it. */
  #recount: AbortController | undefined;
  #recountTimer: number | undefined;

  constructor(
    host: RoomHost,
    private readonly options: InboxOptions,
  ) {
    super(host);
    this.list = new LiveList<FlockNotification>(host, {
      source: (room) => (room.user ? { table: 'flock_notifications', where: [{ column: 'user_id', op: 'eq', value: room.user.id }], filter: `user_id=eq.${room.user.id}`, scope: 'user' } : undefined),
      parse: toNotification,
      pageSize: () => this.options.pageSize(),
      afterResync: 'reload',
      changed: () => {
        this.#sorted = undefined;
        this.options.changed();
      },
      applied: (change, item, before) => this.#applied(change, item, before),
      reloading: async (room, signal) => {
        this.#recount?.abort();
        this.#heard = false;
        const count = await this.#count(room, signal);
        return () => {
          this.#counted(count);
          // The count may predate what was heard meanwhile: ask again once things settle.
          if (this.#heard) this.#scheduleRecount();
        };
      },
    });
  }

  protected override roomChanged(_room: Room, signal: AbortSignal): void {
    onAbort(signal, () => {
      this.unread = 0;
      this.#newestUnreadAt = undefined;
    });
  }

  /** Notifications held, newest first. */
  get items(): readonly FlockNotification[] {
    return (this.#sorted ??= [...this.list.items].reverse());
  }

  markRead(id: string, read: boolean): Promise<void> {
    const item = this.list.get(id);
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
    const me = this.room?.user;
    if (!me) return Promise.resolve();
    const unreadBefore = this.items.filter((n) => n.readAt === null);
    const newest = latest([this.#newestUnreadAt, ...unreadBefore.map((n) => n.createdAt)]);
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
        for (const n of unreadBefore) this.list.put({ ...n, readAt: now });
        this.unread = 0;
      },
      () => {
        for (const n of unreadBefore) this.#setRead(n.id, null);
        this.unread = countBefore;
      },
    );
  }

  remove(id: string): Promise<void> {
    const item = this.list.get(id);
    if (!item) return Promise.resolve();
    return this.#act(
      'notification.delete',
      id,
      { op: 'delete', table: 'flock_notifications', where: [{ column: 'id', op: 'eq', value: id }], requireMatch: true },
      () => {
        this.list.drop(id);
        if (item.readAt === null) this.unread = Math.max(0, this.unread - 1);
      },
      () => {
        this.list.put(item);
        if (item.readAt === null) this.unread++;
      },
    );
  }

  /** Applies an action at once, sends it through the outbox, and undoes it if the server refuses. */
  async #act(kind: string, id: string, write: Write, apply: () => void, undo: () => void): Promise<void> {
    const room = this.room;
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
    const item = this.list.get(id);
    if (!item || (item.readAt === null) === (readAt === null)) return;
    this.unread = Math.max(0, this.unread + (readAt === null ? 1 : -1));
    this.list.put({ ...item, readAt });
  }

  /** A live change, already applied to the list: the count follows it. */
  #applied(change: RowChange, item: FlockNotification | undefined, before: FlockNotification | undefined): void {
    if (this.list.status === LIST.pending) this.#heard = true;
    const gone = change.eventType === 'DELETE';
    // Without the row held, its old values say (a DELETE's `old` must show it unread to count).
    const wasUnread = before ? before.readAt === null : gone ? change.old.read_at === null : (change.old.read_at ?? null) === null;
    const isUnread = !gone && (item ?? toNotification(change.new)).readAt === null;
    if (change.eventType === 'INSERT' && item && !before) {
      if (isUnread) {
        this.unread++;
        this.#newestUnreadAt = latest([this.#newestUnreadAt, item.createdAt]);
      }
      this.options.arrived(item);
    } else if (change.eventType !== 'INSERT' && wasUnread !== isUnread) {
      this.unread = Math.max(0, this.unread + (isUnread ? 1 : -1));
    }
    this.#scheduleRecount();
  }

  /** The server's exact count replaces the running one shortly after changes settle. */
  #scheduleRecount(): void {
    this.timers.clearTimeout(this.#recountTimer);
    this.#recountTimer = this.timers.setTimeout(async () => {
      const room = this.room;
      if (!room?.user) return;
      const read = (this.#recount = new AbortController());
      try {
        const count = await this.#count(room, read.signal);
        // A write still queued would be undone by a stale count: wait for it instead.
        if (!read.signal.aborted && room.writes.every((w) => !w.kind.startsWith('notification.') || w.state === 'failed')) {
          this.#counted(count);
          this.options.changed();
        }
      } catch {
        // Offline: the running count stands until the next change or resync.
      }
    }, RECOUNT_MS);
  }

  /** The exact unread count, and the newest unread's time, in one read: the two agree. */
  async #count(room: Room, signal: AbortSignal): Promise<{ count: number; newestAt: string | undefined }> {
    const { rows, count } = await room.rows(
      {
        table: 'flock_notifications',
        columns: 'created_at',
        where: [
          { column: 'user_id', op: 'eq', value: room.user!.id },
          { column: 'read_at', op: 'is', value: null },
        ],
        order: [{ column: 'created_at', ascending: false }],
        limit: 1,
        count: true,
      },
      { signal },
    );
    const newestAt = rows[0]?.created_at;
    return { count: count ?? 0, newestAt: typeof newestAt === 'string' ? newestAt : undefined };
  }

  /** Takes the server's count as the badge, and what it stands for as the bound of "mark all read". */
  #counted(counted: { count: number; newestAt: string | undefined }): void {
    this.unread = counted.count;
    this.#newestUnreadAt = counted.newestAt;
  }
}
