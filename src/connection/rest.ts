import type { SupabaseClient } from '@supabase/supabase-js';
import type { SendOutcome } from './outbox/outbox.js';
import type { RowFilter, FlockTable, Keyset, RowQuery, RowsResult, Write } from './types.js';

/**
 * The Room's reads and writes as PostgREST requests through supabase-js. Writes are data
 * (`Write`) so they can wait in the outbox, and each is made idempotent here: an insert
 * ignores a row whose key exists (the client made the id), so a replay after an unknown
 * outcome changes nothing.
 */

const PRIMARY_KEYS: Record<FlockTable, string> = {
  flock_messages: 'id',
  flock_notifications: 'id',
  flock_reads: 'user_id,room',
};

interface Filterable<T> {
  filter(column: string, operator: string, value: unknown): T;
  or(filters: string): T;
}

/**
 * How long one request may take. fetch has no limit of its own, and a request that went out on
 * a link that died silently (a half-open keep-alive connection) would otherwise never settle:
 * the write would hold the outbox, and a read the chat's catch-up, until the page reloads.
 * An aborted write is "status 0", tried again like any network failure (sends are idempotent).
 */
export const REQUEST_TIMEOUT_MS = 10_000;

interface PostgrestLikeError {
  message: string;
  code?: string;
}

/** A refused or failed read, with supabase-js's status (0: the request never got an answer). */
export class ReadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  /** No answer (network, timeout) or a server that may answer next time: worth sending again. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export async function readRows(client: SupabaseClient, query: RowQuery, signal?: AbortSignal): Promise<RowsResult> {
  let request = client
    .from(query.table)
    .select(query.columns ?? '*', query.count || query.head ? { count: 'exact', head: query.head ?? false } : undefined);
  request = applyFilters(request, query.where ?? []);
  if (query.after) request = request.or(keysetFilter(query.after, 'gt'));
  if (query.before) request = request.or(keysetFilter(query.before, 'lt'));
  for (const { column, ascending } of query.order ?? []) request = request.order(column, { ascending });
  if (query.limit !== undefined) request = request.limit(query.limit);
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const { data, error, count, status } = await request.abortSignal(signal ? AbortSignal.any([signal, timeout]) : timeout);
  // supabase-js answers an aborted request with an error object: the caller asked for an AbortError.
  signal?.throwIfAborted();
  if (error) throw new ReadError(error.message, status);
  return { rows: (data ?? []) as unknown as Record<string, unknown>[], ...(count !== null && count !== undefined ? { count } : {}) };
}

/** Sends one write and says whether it landed, was refused (keep it, failed) or should wait (network). */
export async function sendWrite(client: SupabaseClient, stored: Write): Promise<SendOutcome> {
  const write = currentShape(stored);
  const table = client.from(write.table);
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let result: { error: PostgrestLikeError | null; status: number; data: unknown };
  switch (write.op) {
    case 'create':
      result = await table.upsert(write.values, { onConflict: PRIMARY_KEYS[write.table], ignoreDuplicates: true }).abortSignal(signal);
      break;
    case 'upsert':
      result = await table.upsert(write.values, { onConflict: write.onConflict }).abortSignal(signal);
      break;
    case 'update': {
      const request = applyFilters(table.update(write.values), write.where).abortSignal(signal);
      result = write.requireMatch ? await request.select() : await request;
      break;
    }
    case 'delete': {
      const request = applyFilters(table.delete(), write.where).abortSignal(signal);
      result = write.requireMatch ? await request.select() : await request;
      break;
    }
  }
  if (result.error) return classify(result.status, result.error);
  if ((write.op === 'update' || write.op === 'delete') && write.requireMatch && Array.isArray(result.data) && result.data.length === 0) {
    // RLS hides rows rather than refusing them: nothing matched is as final as a refusal.
    return { ok: false, retry: false, reason: 'No rows matched: not found or not allowed' };
  }
  return { ok: true };
}

/** Outbox entries queued by kit versions before 0.2 call `create` `insert`: they still go out, once. */
function currentShape(write: Write): Write {
  return (write.op as string) === 'insert' ? ({ ...write, op: 'create' } as Write) : write;
}

/**
 * Status 0 is supabase-js's "fetch failed" (no network, server down); 5xx, 408 and 429 are
 * worth trying again, and so is an expired JWT (auth refreshes it). Anything else is the
 * server's final word: a constraint, RLS, a bad request.
 */
function classify(status: number, error: PostgrestLikeError): SendOutcome {
  const jwtExpired = status === 401 && (error.code === 'PGRST301' || error.code === 'PGRST303');
  if (status === 0 || status >= 500 || status === 408 || status === 429 || jwtExpired) {
    return { ok: false, retry: true, reason: error.message };
  }
  return { ok: false, retry: false, reason: error.message };
}

function applyFilters<T extends Filterable<T>>(request: T, filters: readonly RowFilter[]): T {
  let out = request;
  for (const { column, op, value } of filters) out = out.filter(column, op, value === null ? 'null' : value);
  return out;
}

/** `(a, b) > (x, y)` as PostgREST logic: `a.gt.x, and(a.eq.x, b.gt.y)`, values quoted. */
function keysetFilter(keyset: Keyset, op: 'gt' | 'lt'): string {
  const quote = (value: string | number) => (typeof value === 'number' ? String(value) : `"${value.replace(/["\\]/g, '\\$&')}"`);
  const branches = keyset.columns.map((column, i) => {
    const equal = keyset.columns.slice(0, i).map((c, j) => `${c}.eq.${quote(keyset.values[j]!)}`);
    const last = `${column}.${op}.${quote(keyset.values[i]!)}`;
    return equal.length === 0 ? last : `and(${[...equal, last].join(',')})`;
  });
  return branches.join(',');
}
