import type { OutboxEntry } from './store.js';
import type { OutboxStore } from './store.js';

/**
 * What several MemoryStores share, as an origin's tabs share one IndexedDB: the rows, the
 * replay locks and the change notices. One per "browser"; a store without one has its own.
 */
export class MemoryOutboxDb {
  readonly rows = new Map<number, OutboxEntry>();
  readonly locks = new Set<string>();
  readonly stores = new Set<MemoryStore>();
  seq = 0;
}

/** An OutboxStore in memory, for MemoryRoom and the unit tier. Same contract as `IdbStore`. */
export class MemoryStore implements OutboxStore {
  readonly #db: MemoryOutboxDb;
  readonly #remote = new Set<() => void>();

  constructor(
    readonly scope: string,
    db: MemoryOutboxDb = new MemoryOutboxDb(),
  ) {
    this.#db = db;
    db.stores.add(this);
  }

  async list(): Promise<OutboxEntry[]> {
    return [...this.#db.rows.values()].filter((e) => e.scope === this.scope).sort((a, b) => a.seq - b.seq).map(copy);
  }

  async byKey(key: string): Promise<OutboxEntry | undefined> {
    const entry = [...this.#db.rows.values()].find((e) => e.key === key);
    return entry && copy(entry);
  }

  async has(seq: number): Promise<boolean> {
    return this.#db.rows.has(seq);
  }

  async add(value: Omit<OutboxEntry, 'seq'>): Promise<OutboxEntry> {
    const existing = await this.byKey(value.key);
    if (existing) return existing;
    const entry = { ...value, seq: ++this.#db.seq };
    this.#db.rows.set(entry.seq, entry);
    return copy(entry);
  }

  async put(entry: OutboxEntry): Promise<void> {
    this.#db.rows.set(entry.seq, copy(entry));
  }

  async delete(seq: number): Promise<void> {
    this.#db.rows.delete(seq);
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T | undefined> {
    if (this.#db.locks.has(this.scope)) return undefined;
    this.#db.locks.add(this.scope);
    try {
      return await task();
    } finally {
      this.#db.locks.delete(this.scope);
    }
  }

  announce(): void {
    for (const store of this.#db.stores) if (store !== this && store.scope === this.scope) store.#heard();
  }

  onRemoteChange(listener: () => void): void {
    this.#remote.add(listener);
  }

  close(): void {
    this.#remote.clear();
    this.#db.stores.delete(this);
  }

  #heard(): void {
    // Asynchronous, as a BroadcastChannel message is.
    queueMicrotask(() => this.#remote.forEach((listener) => listener()));
  }
}

function copy(entry: OutboxEntry): OutboxEntry {
  return { ...entry };
}
