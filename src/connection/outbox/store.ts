/**
 * Where an Outbox keeps its entries: IndexedDB in pages (`idb-store.ts`: survives a reload,
 * shared by the origin's tabs), plain memory for MemoryRoom and the unit tier
 * (`memory-store.ts`). The Outbox holds the logic (order, exactly once, failed/retry/discard);
 * a store only keeps rows, runs one holder's replay at a time and tells the other holders of
 * the same scope that something changed.
 */
export interface OutboxStore {
  /** Which project and user the entries belong to (supabase url + user id). */
  readonly scope: string;
  /** This scope's entries, oldest first (by `seq`). */
  list(): Promise<OutboxEntry[]>;
  /** The entry with this key, in any scope (keys are unique, as the index is). */
  byKey(key: string): Promise<OutboxEntry | undefined>;
  /** Whether the entry `seq` is still held (another holder may have removed it). */
  has(seq: number): Promise<boolean>;
  /** Adds an entry unless one with its key exists, in one step; returns the entry held. */
  add(entry: Omit<OutboxEntry, 'seq'>): Promise<OutboxEntry>;
  put(entry: OutboxEntry): Promise<void>;
  delete(seq: number): Promise<void>;
  /** Runs `task` unless another holder of this scope runs one (then resolves undefined). */
  exclusive<T>(task: () => Promise<T>): Promise<T | undefined>;
  /** Tells the other holders of this scope that the entries changed. */
  announce(): void;
  /** Calls `listener` when another holder changed the entries. */
  onRemoteChange(listener: () => void): void;
  close(): void;
}

export type OutboxState = 'pending' | 'failed';

export interface OutboxEntry<P = unknown> {
  /** Order of arrival across tabs (the store's auto-increment). */
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
