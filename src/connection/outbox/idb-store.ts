import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { OutboxEntry } from './store.js';
import type { OutboxStore } from './store.js';

/**
 * The outbox's rows in IndexedDB, so they survive a reload; one tab of an origin replays a
 * scope at a time (a Web Lock, `ifAvailable`), and the others hear of each change over a
 * BroadcastChannel.
 */

interface OutboxDb extends DBSchema {
  writes: {
    key: number;
    value: Omit<OutboxEntry, 'seq'> & { seq?: number };
    indexes: { key: string; scope: string };
  };
}

const DB_NAME = 'flock-outbox';
const STORE = 'writes';

export class IdbStore implements OutboxStore {
  readonly #db: IDBPDatabase<OutboxDb>;
  readonly #channel: BroadcastChannel | undefined;
  readonly #lockName: string;

  private constructor(
    db: IDBPDatabase<OutboxDb>,
    readonly scope: string,
  ) {
    this.#db = db;
    this.#lockName = `${DB_NAME}:${scope}`;
    this.#channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(this.#lockName);
  }

  /** Opens (or creates) the database; `dbName` lets tests keep theirs apart. */
  static async open(scope: string, dbName: string = DB_NAME): Promise<IdbStore> {
    const db = await openDB<OutboxDb>(dbName, 1, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
        store.createIndex('key', 'key', { unique: true });
        store.createIndex('scope', 'scope');
      },
    });
    return new IdbStore(db, scope);
  }

  async list(): Promise<OutboxEntry[]> {
    const rows = await this.#db.getAllFromIndex(STORE, 'scope', this.scope);
    return (rows as OutboxEntry[]).sort((a, b) => a.seq - b.seq);
  }

  async byKey(key: string): Promise<OutboxEntry | undefined> {
    return (await this.#db.getFromIndex(STORE, 'key', key)) as OutboxEntry | undefined;
  }

  async has(seq: number): Promise<boolean> {
    return (await this.#db.get(STORE, seq)) !== undefined;
  }

  async add(value: Omit<OutboxEntry, 'seq'>): Promise<OutboxEntry> {
    // One transaction: two tabs queuing the same key keep one entry.
    const tx = this.#db.transaction(STORE, 'readwrite');
    const existing = await tx.store.index('key').get(value.key);
    const entry = existing ? (existing as OutboxEntry) : { ...value, seq: await tx.store.add(value) };
    await tx.done;
    return entry;
  }

  async put(entry: OutboxEntry): Promise<void> {
    await this.#db.put(STORE, entry);
  }

  async delete(seq: number): Promise<void> {
    await this.#db.delete(STORE, seq);
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T | undefined> {
    if (typeof navigator === 'undefined' || !navigator.locks) return task();
    return navigator.locks.request(this.#lockName, { ifAvailable: true }, async (lock) => (lock ? task() : undefined));
  }

  announce(): void {
    this.#channel?.postMessage('changed');
  }

  onRemoteChange(listener: () => void): void {
    this.#channel?.addEventListener('message', listener);
  }

  close(): void {
    this.#channel?.close();
    this.#db.close();
  }
}
