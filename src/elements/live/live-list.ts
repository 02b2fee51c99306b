// Over 300 lines on purpose: reload, catch-up, older pages and live changes share one watermark,
// one `live` flag and one abort chain; split apart, each would need the others' private state.
import { Timer } from '../../connection/timer.js';
import type { Clock } from '../../connection/timers.js';
import type { ChangeScope, FlockTable, Room, Row, RowChange, RowFilter } from '../../connection/types.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';
import { compareMessages as byServerOrder, type Keyed } from './server-time.js';

/** Where a list stands, as lit/task's TaskStatus: nothing asked yet, a read out, done, or the last reload failed. */
export const LIST = { initial: 'initial', pending: 'pending', complete: 'complete', error: 'error' } as const;
export type ListStatus = (typeof LIST)[keyof typeof LIST];

/** Which rows a list holds: the same rows as a REST filter (pages) and in Realtime's grammar (changes). */
export interface ListSource {
  table: FlockTable;
  where: RowFilter[];
  filter: string;
  scope?: ChangeScope;
}

export interface LiveListOptions<T extends Keyed> {
  /** The rows for `room`, or undefined until they can be named (the user is not known yet). */
  source(room: Room): ListSource | undefined;
  /** A row as an item; undefined for one that isn't this list's. */
  parse(row: Row, room: Room): T | undefined;
  pageSize(): number;
  /**
   * After a resync, `catch-up` reads what is newer than the watermark (an append-only log:
   * chat); `reload` reads the newest page afresh (rows that change in place: the inbox).
   */
  afterResync: 'catch-up' | 'reload';
  /** Something changed: render. */
  changed(): void;
  /** A live change was applied: `item` as now held (undefined: not held), `before` as it was. */
  applied?(change: RowChange, item: T | undefined, before: T | undefined): void;
  /** Read alongside each reload, under its signal; what it resolves to runs once the page is in. */
  reloading?(room: Room, signal: AbortSignal): Promise<(() => void) | void>;
  clock?: Clock;
}

/** Catch-up reads this many rows at a time, and gives up on a gap wider than `CATCH_UP_PAGES` pages (reloading instead). */
export const CATCH_UP_PAGE = 200;
export const CATCH_UP_PAGES = 10;
/** A failed catch-up is tried again after 1 s, then 2, 4… up to 30 s. */
export const catchUpDelay = (tries: number): number => Math.min(30_000, 1000 * 2 ** (tries - 1));

/**
 * One list of rows kept live: the newest page over REST (keyset paging back in `(created_at, id)`
 * order), changes from postgres_changes, and after a resync a catch-up read of everything newer
 * than the watermark. The latest read wins by abort: a reload aborts the read before it, so an
 * older answer can never land on a newer one. Chat history and the bell's inbox are both one.
 *
 * The watermark is the newest item up to which the list is whole. It moves only with what is
 * whole by construction — the newest page, each catch-up page, and live inserts while `live` —
 * never with a row read back on its own (one confirmed while disconnected is newer than what
 * others sent meanwhile, which would then be skipped). `live` is set once a read has reached
 * the present with the connection up, and cleared the moment it drops or the channel re-joins:
 * inserts after a re-join but before the catch-up would otherwise leap the gap.
 *
 * Items are ordered oldest first; the host reads them through `items` and the status.
 */
export class LiveList<T extends Keyed> extends RoomController {
  status: ListStatus = LIST.initial;
  /** Why the last reload failed. */
  error = '';
  /** More rows exist before the oldest held. */
  hasOlder = false;
  loadingOlder = false;
  readonly #items = new Map<string, T>();
  #sorted: T[] | undefined;
  #watermark: T | undefined;
  #live = false;
  /** A reload succeeded in this room: catch-up has a watermark to read after. */
  #loaded = false;
  /** The reload or catch-up in flight, and the older page in flight; each aborted by the next. */
  #head: AbortController | undefined;
  #older: AbortController | undefined;
  /** Items heard live while a reload reads: its page may predate them, so they are kept with it. */
  #heard: Map<string, T> | undefined;
  readonly #retry = new Timer(this.timers, () => void this.catchUp(), catchUpDelay);

  constructor(
    host: RoomHost,
    private readonly options: LiveListOptions<T>,
  ) {
    super(host, options.clock);
  }

  /** Every item held, oldest first. */
  get items(): readonly T[] {
    return (this.#sorted ??= [...this.#items.values()].sort(byServerOrder));
  }

  get(id: string): T | undefined {
    return this.#items.get(id);
  }

  /** Nothing to show yet: no page has come in this room. */
  get loading(): boolean {
    return this.status === LIST.initial || (this.status === LIST.pending && !this.#loaded);
  }

  /** A reload has succeeded in this room (what is held is whole up to the watermark). */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** The newest item up to which nothing was missed; undefined before the first page. */
  get watermark(): T | undefined {
    return this.#watermark;
  }

  protected override roomChanged(room: Room, signal: AbortSignal): void {
    let bound: string | undefined;
    let unbind: (() => void) | undefined;
    let loadedFor: string | undefined;
    const follow = () => {
      const source = this.options.source(room);
      if (source && source.filter !== bound) {
        bound = source.filter;
        unbind?.();
        unbind = room.onChanges({ event: '*', table: source.table, filter: source.filter }, (change) => this.#apply(room, change), source.scope);
      }
      if (room.user && room.user.id !== loadedFor) {
        loadedFor = room.user.id;
        void this.reload();
      }
    };
    room.addEventListener('user', follow, { signal });
    room.addEventListener('resync', () => void (this.options.afterResync === 'reload' ? this.reload() : this.catchUp()), { signal });
    room.addEventListener('status', () => (this.#live &&= room.connection.status === 'connected'), { signal });
    onAbort(signal, () => {
      unbind?.();
      this.#abort();
      this.#retry.reset();
      this.#items.clear();
      this.#watermark = undefined;
      this.#live = this.#loaded = this.hasOlder = false;
      this.status = LIST.initial;
      this.#invalidate();
    });
    follow();
  }

  /** The newest page afresh (on start, on Try again, after a resync of a `reload` list). */
  async reload(): Promise<void> {
    const room = this.room;
    const source = room?.user && this.options.source(room);
    if (!source) return;
    const read = this.#abort(new AbortController());
    const heard = (this.#heard = new Map());
    this.#retry.reset();
    this.#live = false;
    this.#set(LIST.pending);
    try {
      const size = this.options.pageSize();
      const [[rows, count], commit] = await Promise.all([this.#page(room, source, 'before', undefined, size + 1, read.signal), this.options.reloading?.(room, read.signal)]);
      read.signal.throwIfAborted();
      this.hasOlder = count > size;
      const page = rows.slice(0, size);
      this.#items.clear();
      for (const [id, item] of heard) this.#items.set(id, item);
      for (const item of page) this.#items.set(item.id, item);
      // The newest page (newest first) reaches the present: nothing after its first row was missed.
      this.#watermark = page[0];
      this.#loaded = true;
      this.#live = room.connection.status === 'connected';
      this.error = '';
      this.status = LIST.complete;
      commit?.();
    } catch (error) {
      if (read.signal.aborted) return;
      this.error = error instanceof Error ? error.message : String(error);
      this.status = LIST.error;
    } finally {
      if (this.#head === read) this.#head = this.#heard = undefined;
    }
    this.#invalidate();
  }

  /**
   * Everything after the watermark: what was missed while disconnected. Rows held already (live,
   * or read back) are read again and stay one item each, keyed by id. Before anything is held,
   * after a failed reload or during one, this is a reload (the newest wins).
   */
  async catchUp(): Promise<void> {
    const room = this.room;
    const source = room?.user && this.options.source(room);
    if (!source) return;
    if (!this.#loaded || this.#heard || this.status === LIST.error) return this.reload();
    const read = this.#abort(new AbortController(), false);
    this.#retry.cancel();
    this.#live = false;
    this.#set(LIST.pending);
    try {
      for (let pages = 0; pages < CATCH_UP_PAGES; pages++) {
        const [rows, count] = await this.#page(room, source, 'after', this.#watermark, CATCH_UP_PAGE, read.signal);
        read.signal.throwIfAborted();
        for (const item of rows) this.#items.set(item.id, item);
        // Oldest first and contiguous with the mark: its last row is the new mark.
        this.#watermark = rows.at(-1) ?? this.#watermark;
        if (count < CATCH_UP_PAGE) {
          this.#retry.reset();
          // Read up to the present: live inserts follow on, unless the connection dropped meanwhile.
          this.#live = room.connection.status === 'connected';
          this.#head = undefined;
          this.status = LIST.complete;
          return this.#invalidate();
        }
        this.#invalidate();
      }
      // Away for too long to walk the gap: start again from the newest page.
      return this.reload();
    } catch {
      if (read.signal.aborted) return;
      // The channel is back but the read failed (the server still starting, a token being
      // refreshed): what is held is still right, only not up to date; try again shortly.
      this.#head = undefined;
      this.#set(LIST.complete);
      this.#retry.schedule();
    }
  }

  /** The page before the oldest item held; resolves with how many were new. */
  async older(): Promise<number> {
    const room = this.room;
    const source = room && this.options.source(room);
    const oldest = this.items[0];
    if (!source || !oldest || !this.hasOlder || this.loadingOlder) return 0;
    const read = (this.#older = new AbortController());
    this.loadingOlder = true;
    this.options.changed();
    try {
      const size = this.options.pageSize();
      const [rows, count] = await this.#page(room, source, 'before', oldest, size + 1, read.signal);
      read.signal.throwIfAborted();
      this.hasOlder = count > size;
      return this.#take(rows.slice(0, size));
    } catch {
      return 0;
    } finally {
      if (this.#older === read) {
        this.#older = undefined;
        this.loadingOlder = false;
        this.#invalidate();
      }
    }
  }

  /** Rows read on their own (a sent message's): held, without moving the watermark. Returns how many were new. */
  take(rows: readonly Row[]): number {
    const room = this.room;
    const added = room ? this.#take(rows.flatMap((row) => this.options.parse(row, room) ?? [])) : 0;
    this.#invalidate();
    return added;
  }

  /** Replaces (or adds) an item as this tab now shows it: an optimistic action, or its undoing. */
  put(item: T): void {
    this.#items.set(item.id, item);
    this.#invalidate();
  }

  /** Stops holding an item; returns it. */
  drop(id: string): T | undefined {
    const item = this.#items.get(id);
    if (this.#items.delete(id)) this.#invalidate();
    return item;
  }

  #apply(room: Room, change: RowChange): void {
    const row = change.eventType === 'DELETE' ? change.old : change.new;
    const id = String(row.id);
    const before = this.#items.get(id);
    let item = change.eventType === 'DELETE' ? undefined : this.options.parse(row, room);
    if (change.eventType === 'DELETE') {
      this.#items.delete(id);
      this.#heard?.delete(id);
    } else if (!item) {
      return;
    } else if (change.eventType === 'UPDATE' && !before && this.items[0] && byServerOrder(item, this.items[0]) < 0) {
      // A change to a row older than the list holds is not the list's to show.
      item = undefined;
    } else {
      this.#items.set(id, item);
      this.#heard?.set(id, item);
      if (change.eventType === 'INSERT' && this.#live && (!this.#watermark || byServerOrder(this.#watermark, item) < 0)) this.#watermark = item;
    }
    this.#sorted = undefined;
    this.options.applied?.(change, item, before);
    this.options.changed();
  }

  #take(items: readonly T[]): number {
    let added = 0;
    for (const item of items) {
      if (!this.#items.has(item.id)) added++;
      this.#items.set(item.id, item);
    }
    return added;
  }

  /**
   * Up to `limit` rows strictly `after` (oldest first) or `before` (newest first) `from` in
   * `(created_at, id)` order, the tables' index order; from either end without `from`. With
   * how many rows came (some may not parse): whether the page was full.
   */
  async #page(room: Room, source: ListSource, side: 'after' | 'before', from: T | undefined, limit: number, signal: AbortSignal): Promise<[T[], number]> {
    const ascending = side === 'after';
    const { rows } = await room.rows(
      {
        table: source.table,
        where: source.where,
        ...(from ? { [side]: { columns: ['created_at', 'id'], values: [from.createdAt!, from.id] } } : {}),
        order: [
          { column: 'created_at', ascending },
          { column: 'id', ascending },
        ],
        limit,
      },
      { signal },
    );
    return [rows.flatMap((row) => this.options.parse(row, room) ?? []), rows.length];
  }

  /** Aborts the reads in flight (the older page too, unless `older` is false); `next` becomes the head. */
  #abort(next?: AbortController, older = true): AbortController {
    this.#head?.abort();
    this.#head = next;
    this.#heard = undefined;
    if (older) {
      this.#older?.abort();
      this.#older = undefined;
      this.loadingOlder = false;
    }
    return next!;
  }

  #set(status: ListStatus): void {
    this.status = status;
    this.options.changed();
  }

  #invalidate(): void {
    this.#sorted = undefined;
    this.options.changed();
  }
}
