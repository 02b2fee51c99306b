import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * The offline outbox (shared/DESIGN.md §3): writes made while offline, or that failed for
 * network reasons, wait in IndexedDB — so they survive a reload — and are replayed in the
 * order they were made when the connection returns.
 *
 * Exactly once: every write carries a key made by the client (a chat message's uuid, a
 * read marker's room), and the sender turns it into an idempotent upsert, so a replay after
 * an unknown outcome (sent, then the tab died before the entry was removed) changes nothing.
 * Only one tab of an origin replays at a time (a Web Lock per scope); the others skip.
 *
 * States: `pending` (waiting), `failed` (the server refused it: kept and shown until the user
 * retries or discards it, never silently lost). A sent write leaves the outbox.
 */

export type OutboxState = 'pending' | 'failed';

export interface OutboxEntry<P = unknown> {
  /** Order of arrival across tabs (IndexedDB's auto-increment). */
  seq: number;
  /** The client-made identity of the write; enqueuing the same key again replaces nothing. */
  key: string;
  /** Which project the write is for (supabase url + key), so projects never mix. */
  scope: string;
  /** What to do, e.g. `chat.send`, `read.mark`; the Room maps it to a request. */
  kind: string;
  payload: P;
  state: OutboxState;
  attempts: number;
  /** Why the server refused it, for `failed` writes. */
  error?: string;
  queuedAt: number;
}

/** What the sender reports for one write. */
export type SendOutcome = { ok: true } | { ok: false; retry: true; reason: string } | { ok: false; retry: false; reason: string };

export type Sender = (entry: OutboxEntry) => Promise<SendOutcome>;

export interface ReplayResult {
  /** False when another tab holds the replay lock (it replays instead). */
  replayed: boolean;
  sent: number;
  failed: number;
  /** Writes still pending because the network went away again. */
  remaining: number;
}

interface OutboxDb extends DBSchema {
  writes: {
    key: number;
    value: Omit<OutboxEntry, 'seq'> & { seq?: number };
    indexes: { key: string; scope: string };
  };
}

const DB_NAME = 'flock-outbox';
const STORE = 'writes';

export class Outbox {
  readonly #listeners = new Set<(entries: readonly OutboxEntry[]) => void>();
  readonly #channel: BroadcastChannel | undefined;
  #entries: OutboxEntry[] = [];
  #closed = false;

  private constructor(
    private readonly db: IDBPDatabase<OutboxDb>,
    readonly scope: string,
  ) {
    // Other tabs' changes (enqueue, replay, discard) show here too.
    this.#channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`${DB_NAME}:${scope}`);
    // Another tab may write while this one is closing: a late refresh has nothing to update.
    this.#channel?.addEventListener('message', () => void this.refresh().catch(() => undefined));
  }

  /** Opens (or creates) the outbox for `scope`; `dbName` lets tests keep theirs apart. */
  static async open(scope: string, dbName: string = DB_NAME): Promise<Outbox> {
    const db = await openDB<OutboxDb>(dbName, 1, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
        store.createIndex('key', 'key', { unique: true });
        store.createIndex('scope', 'scope');
      },
    });
    const outbox = new Outbox(db, scope);
    await outbox.refresh();
    return outbox;
  }

  /** The writes waiting or refused, oldest first. */
  get list(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /** How many writes wait to be sent. */
  get queued(): number {
    return this.#entries.filter((e) => e.state === 'pending').length;
  }

  /** Calls `listener` with the entries whenever they change (here or in another tab); returns an unsubscribe. */
  subscribe(listener: (entries: readonly OutboxEntry[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queues a write. A key already queued is left as it is (the first write wins, as the upsert would). */
  async enqueue<P>(kind: string, key: string, payload: P): Promise<OutboxEntry<P>> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const existing = await tx.store.index('key').get(key);
    let entry: OutboxEntry;
    if (existing) {
      entry = existing as OutboxEntry;
    } else {
      const value = { key, scope: this.scope, kind, payload, state: 'pending' as const, attempts: 0, queuedAt: Date.now() };
      const seq = await tx.store.add(value);
      entry = { ...value, seq };
    }
    await tx.done;
    await this.#changed();
    return entry as OutboxEntry<P>;
  }

  /**
   * Sends every pending write in order, if no other tab is doing so. A write the server
   * refuses becomes `failed` and the rest go on; a network failure stops the replay with the
   * write and everything after it still pending, so order is kept for the next try.
   */
  async replay(send: Sender): Promise<ReplayResult> {
    const run = async (): Promise<ReplayResult> => {
      const result: ReplayResult = { replayed: true, sent: 0, failed: 0, remaining: 0 };
      if (this.#closed) return { ...result, replayed: false };
      const pending = (await this.#read()).filter((e) => e.state === 'pending');
      for (const [i, entry] of pending.entries()) {
        // Another tab may have discarded it meanwhile.
        if (!(await this.db.get(STORE, entry.seq))) continue;
        let outcome: SendOutcome;
        try {
          outcome = await send(entry);
        } catch (error) {
          outcome = { ok: false, retry: true, reason: error instanceof Error ? error.message : String(error) };
        }
        if (outcome.ok) {
          await this.db.delete(STORE, entry.seq);
          result.sent++;
        } else if (outcome.retry) {
          await this.db.put(STORE, { ...entry, attempts: entry.attempts + 1 });
          result.remaining = pending.length - i;
          break;
        } else {
          await this.db.put(STORE, { ...entry, attempts: entry.attempts + 1, state: 'failed', error: outcome.reason });
          result.failed++;
        }
      }
      await this.#changed();
      return result;
    };
    if (typeof navigator === 'undefined' || !navigator.locks) return run();
    const locked = await navigator.locks.request(`${DB_NAME}:${this.scope}`, { ifAvailable: true }, async (lock) =>
      lock ? run() : undefined,
    );
    return locked ?? { replayed: false, sent: 0, failed: 0, remaining: this.queued };
  }

  /**
   * Records how a write sent outside a replay went: applied (removed), refused (`failed`, kept),
   * or lost to the network (left pending for the next replay).
   */
  async settle(key: string, outcome: SendOutcome): Promise<void> {
    if (this.#closed) return;
    const entry = await this.db.getFromIndex(STORE, 'key', key);
    if (entry?.seq === undefined) return;
    if (outcome.ok) await this.db.delete(STORE, entry.seq);
    else if (outcome.retry) await this.db.put(STORE, { ...entry, attempts: entry.attempts + 1 });
    else await this.db.put(STORE, { ...entry, attempts: entry.attempts + 1, state: 'failed', error: outcome.reason });
    await this.#changed();
  }

  /** Puts a failed write back in the queue (it keeps its place); the next replay sends it. */
  async retry(key: string): Promise<void> {
    const entry = await this.db.getFromIndex(STORE, 'key', key);
    if (!entry || entry.state !== 'failed' || entry.seq === undefined) return;
    const { error: _error, ...rest } = entry;
    await this.db.put(STORE, { ...rest, state: 'pending' });
    await this.#changed();
  }

  /** Drops a write for good (the user chose to discard a refused write). */
  async discard(key: string): Promise<void> {
    const entry = await this.db.getFromIndex(STORE, 'key', key);
    if (entry?.seq !== undefined) await this.db.delete(STORE, entry.seq);
    await this.#changed();
  }

  /** Releases the database and the cross-tab channel. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#channel?.close();
    this.db.close();
  }

  async #read(): Promise<OutboxEntry[]> {
    const rows = await this.db.getAllFromIndex(STORE, 'scope', this.scope);
    return (rows as OutboxEntry[]).sort((a, b) => a.seq - b.seq);
  }

  private async refresh(): Promise<void> {
    if (this.#closed) return;
    this.#entries = await this.#read();
    for (const listener of this.#listeners) listener(this.#entries);
  }

  async #changed(): Promise<void> {
    await this.refresh();
    // A write begun just before the Room closed still lands; only the other tabs' nudge is moot.
    if (!this.#closed) this.#channel?.postMessage('changed');
  }
}
