import type { OutboxEntry, OutboxStore } from './store.js';

export type { OutboxEntry, OutboxState } from './store.js';

/**
 * The offline outbox (shared/DESIGN.md §3): writes made while offline, or that failed for
 * network reasons, wait in a store — IndexedDB in pages, so they survive a reload — and are
 * replayed in the order they were made when the connection returns.
 *
 * Exactly once: every write carries a key made by the client (a chat message's uuid, a
 * read marker's room), and the sender turns it into an idempotent upsert, so a replay after
 * an unknown outcome (sent, then the tab died before the entry was removed) changes nothing.
 * Only one holder of a scope replays at a time (the store's `exclusive`); the others skip.
 *
 * States: `pending` (waiting), `failed` (the server refused it: kept and shown until the user
 * retries or discards it, never silently lost). A sent write leaves the outbox.
 */

/** What the sender reports for one write. */
export type SendOutcome = { ok: true } | { ok: false; retry: true; reason: string } | { ok: false; retry: false; reason: string };

export type Sender = (entry: OutboxEntry) => Promise<SendOutcome>;

export interface ReplayResult {
  /** False when another holder (tab) has the replay lock (it replays instead). */
  replayed: boolean;
  sent: number;
  failed: number;
  /** Writes still pending because the network went away again. */
  remaining: number;
}

/** How many entries wait to be sent and how many the server refused: the one count the status shows. */
export function writeCounts(entries: readonly OutboxEntry[]): { queued: number; failed: number } {
  const failed = entries.filter((e) => e.state === 'failed').length;
  return { queued: entries.length - failed, failed };
}

/** An outcome that threw (a network error, a timeout) is one to try again. */
export function outcomeOfError(error: unknown): SendOutcome {
  return { ok: false, retry: true, reason: error instanceof Error ? error.message : String(error) };
}

export class Outbox {
  readonly #store: OutboxStore;
  readonly #now: () => number;
  readonly #listeners = new Set<(entries: readonly OutboxEntry[]) => void>();
  #entries: OutboxEntry[] = [];
  #closed = false;

  private constructor(store: OutboxStore, now: () => number) {
    this.#store = store;
    this.#now = now;
    // Other holders' changes (enqueue, replay, discard) show here too; one arriving while this
    // one closes has nothing to update.
    store.onRemoteChange(() => void this.#refresh().catch(() => undefined));
  }

  /** The outbox over `store`, with its entries read; `now` stamps `queuedAt`. */
  static async open(store: OutboxStore, now: () => number = Date.now): Promise<Outbox> {
    const outbox = new Outbox(store, now);
    await outbox.#refresh();
    return outbox;
  }

  get scope(): string {
    return this.#store.scope;
  }

  /** The writes waiting or refused, oldest first. */
  get list(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /** How many writes wait to be sent. */
  get queued(): number {
    return writeCounts(this.#entries).queued;
  }

  /** Calls `listener` with the entries whenever they change (here or in another holder); returns an unsubscribe. */
  subscribe(listener: (entries: readonly OutboxEntry[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queues a write. A key already queued is left as it is (the first write wins, as the upsert would). */
  async enqueue<P>(kind: string, key: string, payload: P): Promise<OutboxEntry<P>> {
    const entry = await this.#store.add({ key, scope: this.scope, kind, payload, state: 'pending', attempts: 0, queuedAt: this.#now() });
    await this.#changed();
    return entry as OutboxEntry<P>;
  }

  /**
   * Sends every pending write in order, if no other holder is doing so. A write the server
   * refuses becomes `failed` and the rest go on; a network failure stops the replay with the
   * write and everything after it still pending, so order is kept for the next try.
   */
  async replay(send: Sender): Promise<ReplayResult> {
    const run = async (): Promise<ReplayResult> => {
      const result: ReplayResult = { replayed: true, sent: 0, failed: 0, remaining: 0 };
      if (this.#closed) return { ...result, replayed: false };
      const pending = (await this.#store.list()).filter((e) => e.state === 'pending');
      for (const [i, entry] of pending.entries()) {
        // Another holder may have discarded it meanwhile.
        if (!(await this.#store.has(entry.seq))) continue;
        const outcome = await send(entry).catch(outcomeOfError);
        await this.#record(entry, outcome);
        if (outcome.ok) result.sent++;
        else if (!outcome.retry) result.failed++;
        else {
          result.remaining = pending.length - i;
          break;
        }
      }
      await this.#changed();
      return result;
    };
    return (await this.#store.exclusive(run)) ?? { replayed: false, sent: 0, failed: 0, remaining: this.queued };
  }

  /**
   * Records how a write sent outside a replay went: applied (removed), refused (`failed`, kept),
   * or lost to the network (left pending for the next replay).
   */
  async settle(key: string, outcome: SendOutcome): Promise<void> {
    if (this.#closed) return;
    const entry = await this.#store.byKey(key);
    if (!entry) return;
    await this.#record(entry, outcome);
    await this.#changed();
  }

  /** Puts a failed write back in the queue (it keeps its place); the next replay sends it. */
  async retry(key: string): Promise<void> {
    const entry = await this.#store.byKey(key);
    if (!entry || entry.state !== 'failed') return;
    const { error: _error, ...rest } = entry;
    await this.#store.put({ ...rest, state: 'pending' });
    await this.#changed();
  }

  /** Drops a write for good (the user chose to discard a refused write). */
  async discard(key: string): Promise<void> {
    const entry = await this.#store.byKey(key);
    if (entry) await this.#store.delete(entry.seq);
    await this.#changed();
  }

  /** Releases the store (its database and cross-tab channel). */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#store.close();
  }

  async #record(entry: OutboxEntry, outcome: SendOutcome): Promise<void> {
    if (outcome.ok) await this.#store.delete(entry.seq);
    else if (outcome.retry) await this.#store.put({ ...entry, attempts: entry.attempts + 1 });
    else await this.#store.put({ ...entry, attempts: entry.attempts + 1, state: 'failed', error: outcome.reason });
  }

  async #refresh(): Promise<void> {
    if (this.#closed) return;
    this.#entries = await this.#store.list();
    for (const listener of this.#listeners) listener(this.#entries);
  }

  async #changed(): Promise<void> {
    await this.#refresh();
    // A write begun just before the Room closed still lands; only the other holders' nudge is moot.
    if (!this.#closed) this.#store.announce();
  }
}
