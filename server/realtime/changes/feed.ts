import type { Claims, Database, Transaction } from '../../db.ts';
import { ident } from '../../rest/sql.ts';
import { bindingCovers, type ChangeBinding, type CompiledFilter } from './bindings.ts';
import { CHANGES_CHANNEL, syncCapture } from './capture.ts';
import { readTableShape, type TableShape } from './tables.ts';

/**
 * Turns captured changes into postgres_changes messages. Woken by the capture trigger's
 * NOTIFY, it takes the log in commit order and, per batch, asks Postgres three questions
 * with as few statements as it can: which rows pass each distinct filter (one statement
 * per filter), which rows each distinct set of JWT claims may select (one savepoint per
 * claims, all in one transaction, as that role so RLS decides), and which columns each
 * role may read. Messages then go out in commit order.
 */

/** A channel member with postgres_changes bindings. */
export interface ChangeSubscriber {
  readonly claims: Claims;
  readonly changeBindings: readonly ChangeBinding[];
  deliverChange(payload: ChangeMessage): void;
}

type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';
type Row = Record<string, unknown>;

export interface ChangeMessage {
  ids: number[];
  data: {
    schema: string;
    table: string;
    commit_timestamp: string;
    type: ChangeType;
    columns: { name: string; type: string }[];
    record?: Row;
    old_record?: Row;
    errors: null;
  };
}

interface LogRow {
  id: number | bigint | string;
  schema_name: string;
  table_name: string;
  type: ChangeType;
  record: Row | null;
  old_record: Row | null;
  commit_timestamp: Date | string;
}

const BATCH = 500;

/**
 * A fingerprint of everything the cached shapes and privileges depend on: the tables' and
 * columns' grants, RLS flag, replica identity, columns and primary key. One cheap statement
 * per batch instead of re-reading them; any GRANT, REVOKE or ALTER changes it.
 */
const CATALOG_FINGERPRINT_SQL = /* sql */ `
  select md5(coalesce(string_agg(
    c.oid::text || '|' || coalesce(c.relacl::text, '') || '|' || c.relrowsecurity::text || '|' || c.relreplident::text || '|' ||
    coalesce((select string_agg(a.attname::text || ':' || a.atttypid::text || ':' || coalesce(a.attacl::text, ''), ',' order by a.attnum)
      from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '') || '|' ||
    coalesce((select i.indkey::text from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary), ''),
    ';' order by c.oid), '') || (select count(*) from pg_catalog.pg_auth_members)::text) as fingerprint
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and (n.nspname || '.' || c.relname) = any($1::text[])`;

/** What one role may read of one table. */
interface Access {
  table: boolean;
  columns: Set<string>;
}
const tableKey = (schema: string, table: string): string => `${schema}.${table}`;
const qualified = (shape: { schema: string; table: string }): string => `${ident(shape.schema)}.${ident(shape.table)}`;
const claimsKey = (claims: Claims): string => JSON.stringify(claims);

/**
 * The row a filter looks at: the new one, or for a delete the old one as the replica
 * identity gives it (Supabase sees no more than that, so a delete filtered on a column
 * outside the identity never matches there either).
 */
function subjectOf(row: LogRow, shape: TableShape | undefined): Row {
  if (row.type !== 'DELETE') return row.record ?? {};
  return shape ? pick(row.old_record, new Set(shape.identityColumns)) : {};
}

function pick(row: Row | null, columns: ReadonlySet<string>): Row {
  const out: Row = {};
  if (row) for (const [k, v] of Object.entries(row)) if (columns.has(k)) out[k] = v;
  return out;
}

export class ChangeFeed {
  private running: Promise<void> | undefined;
  private again = false;
  private unlisten: (() => Promise<void>) | undefined;
  private stopped = false;
  /** Table shapes and role privileges, kept while the catalog fingerprint of the cached tables holds. */
  private readonly shapes = new Map<string, TableShape>();
  private readonly access = new Map<string, Access>();
  private fingerprint = '';
  /** Changes taken from the log, and messages sent. */
  readonly counts = { changes: 0, messages: 0 };

  constructor(
    private readonly db: Database,
    private readonly subscribers: () => Iterable<ChangeSubscriber>,
  ) {}

  async start(): Promise<void> {
    await syncCapture(this.db);
    this.unlisten = await this.db.pg.listen(CHANGES_CHANNEL, () => this.wake());
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.unlisten?.().catch(() => undefined);
  }

  /** Resolves once every change committed so far has been delivered. */
  async settled(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) this.wake();
    });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      let taken: number;
      do {
        const batch = await this.db.asOwner((tx) => this.batch(tx));
        taken = batch.taken;
        for (const [subscriber, message] of batch.out) subscriber.deliverChange(message);
        this.counts.messages += batch.out.length;
      } while (taken === BATCH && !this.stopped);
    } while (this.again && !this.stopped);
  }

  /**
   * One batch in one transaction: take changes off the log, work out who receives what,
   * and hand back the messages to send once it commits. A failure while working it out
   * loses that batch's messages (logged), never the log's order or the server.
   */
  private async batch(tx: Transaction): Promise<{ taken: number; out: [ChangeSubscriber, ChangeMessage][] }> {
    const result = await tx.query<LogRow>(
      `delete from realtime.local_change_log where id in (select id from realtime.local_change_log order by id limit ${BATCH})
       returning id, schema_name, table_name, type, record, old_record, commit_timestamp`,
    );
    const rows = result.rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    this.counts.changes += rows.length;
    if (rows.length === 0) return { taken: 0, out: [] };
    await tx.query('savepoint deliver');
    try {
      const out = await this.prepare(tx, rows);
      await tx.query('release savepoint deliver');
      return { taken: rows.length, out };
    } catch (error) {
      await tx.query('rollback to savepoint deliver');
      console.error('[flock] realtime: could not deliver database changes:', error);
      return { taken: rows.length, out: [] };
    }
  }

  private async prepare(tx: Transaction, rows: LogRow[]): Promise<[ChangeSubscriber, ChangeMessage][]> {
    const subscribers = [...this.subscribers()].filter((s) => s.changeBindings.length > 0);
    if (subscribers.length === 0) return [];

    // Which bindings of which subscriber cover each row, before filters and RLS.
    const candidates = rows.map((row) => {
      const bySubscriber = new Map<ChangeSubscriber, ChangeBinding[]>();
      for (const s of subscribers) {
        const covering = s.changeBindings.filter((b) => bindingCovers(b, row.schema_name, row.table_name, row.type));
        if (covering.length) bySubscriber.set(s, covering);
      }
      return bySubscriber;
    });
    if (candidates.every((c) => c.size === 0)) return [];

    await this.checkCatalog(tx);
    const { shapes, access } = this;
    for (const [i, row] of rows.entries()) {
      const key = tableKey(row.schema_name, row.table_name);
      if (!candidates[i]!.size || shapes.has(key)) continue;
      const shape = await readTableShape(tx, row.schema_name, row.table_name);
      if (shape) {
        shapes.set(key, shape);
        const result = await tx.query<{ fingerprint: string }>(CATALOG_FINGERPRINT_SQL, [[...shapes.keys()]]);
        this.fingerprint = result.rows[0]?.fingerprint ?? '';
      }
    }
    await this.readAccess(tx, new Set(subscribers.map((s) => s.claims.role)));
    const passing = await this.evaluateFilters(tx, rows, candidates);

    // Drop bindings whose filter the row fails, and rows of tables that are gone.
    rows.forEach((row, i) => {
      const shape = shapes.get(tableKey(row.schema_name, row.table_name));
      for (const [s, bindings] of candidates[i]!) {
        const kept = shape ? bindings.filter((b) => !b.filter || passing.get(b.filter.key)?.has(i)) : [];
        if (kept.length) candidates[i]!.set(s, kept);
        else candidates[i]!.delete(s);
      }
    });

    const visible = await this.checkVisibility(tx, rows, candidates);

    const out: [ChangeSubscriber, ChangeMessage][] = [];
    rows.forEach((row, i) => {
      const key = tableKey(row.schema_name, row.table_name);
      const shape = shapes.get(key);
      if (!shape) return;
      for (const [s, bindings] of candidates[i]!) {
        if (!visible.get(claimsKey(s.claims))?.has(i)) continue;
        const readable = access.get(`${s.claims.role}:${key}`);
        if (!readable?.table) continue;
        out.push([s, this.message(row, shape, bindings, readable.columns)]);
      }
    });
    return out;
  }

  /** For each distinct filter, the indexes of the rows that pass it. One statement per filter. */
  private async evaluateFilters(
    tx: Transaction,
    rows: LogRow[],
    candidates: Map<ChangeSubscriber, ChangeBinding[]>[],
  ): Promise<Map<string, Set<number>>> {
    const filters = new Map<string, { filter: CompiledFilter; table: string; schema: string; rows: number[] }>();
    candidates.forEach((bySubscriber, i) => {
      for (const bindings of bySubscriber.values()) {
        for (const b of bindings) {
          if (!b.filter || b.table === undefined) continue;
          const entry = filters.get(b.filter.key) ?? { filter: b.filter, schema: b.schema, table: b.table, rows: [] };
          if (entry.rows.at(-1) !== i) entry.rows.push(i);
          filters.set(b.filter.key, entry);
        }
      }
    });
    const passing = new Map<string, Set<number>>();
    for (const [key, entry] of filters) {
      const subjects = entry.rows.map((i) => subjectOf(rows[i]!, this.shapes.get(tableKey(entry.schema, entry.table))));
      const result = await tx.query<{ n: number }>(
        `select (c.n - 1)::int as n from jsonb_array_elements($1::jsonb) with ordinality as c(rec, n)
         cross join lateral jsonb_populate_record(null::${qualified(entry)}, c.rec) as r
         where ${entry.filter.where}`,
        [JSON.stringify(subjects), ...entry.filter.values],
      );
      passing.set(key, new Set(result.rows.map((r) => entry.rows[r.n]!)));
    }
    return passing;
  }

  /** Forgets the cached shapes and privileges when a grant or the tables' definition changed. */
  private async checkCatalog(tx: Transaction): Promise<void> {
    if (this.shapes.size === 0) return;
    const result = await tx.query<{ fingerprint: string }>(CATALOG_FINGERPRINT_SQL, [[...this.shapes.keys()]]);
    const fingerprint = result.rows[0]?.fingerprint ?? '';
    if (fingerprint !== this.fingerprint) {
      this.shapes.clear();
      this.access.clear();
    }
  }

  /** Per role and table: may the role select from it at all, and which columns. Cached with the shapes. */
  private async readAccess(tx: Transaction, roles: Set<string>): Promise<void> {
    for (const [key, shape] of this.shapes) {
      const missing = [...roles].filter((role) => !this.access.has(`${role}:${key}`));
      if (missing.length === 0) continue;
      const result = await tx.query<{ role: string; table_ok: boolean; columns: string[] | null }>(
        `select r.role, has_table_privilege(r.role, $1::regclass, 'SELECT') as table_ok,
           (select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
             where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
               and has_column_privilege(r.role, a.attrelid, a.attnum, 'SELECT')) as columns
         from unnest($2::text[]) as r(role)`,
        [qualified(shape), missing],
      );
      for (const r of result.rows) {
        const columns = new Set(r.columns ?? []);
        // A role that may read some columns but not the table still receives those columns, as in Postgres.
        this.access.set(`${r.role}:${key}`, { table: r.table_ok || columns.size > 0, columns });
      }
    }
  }

  /**
   * For each distinct set of claims, the rows it may see. Tables with RLS are asked as each
   * subscriber's role and claims whether the row (by primary key) exists for them: one
   * statement per table per batch, which loops over the claims inside Postgres
   * (`realtime.local_visible_rows`). Deletes cannot be checked against a row that is gone;
   * like Supabase, they go to everyone who may read the table, carrying only the primary key.
   */
  private async checkVisibility(
    tx: Transaction,
    rows: LogRow[],
    candidates: Map<ChangeSubscriber, ChangeBinding[]>[],
  ): Promise<Map<string, Set<number>>> {
    const { shapes, access } = this;
    const visible = new Map<string, Set<number>>();
    const toCheck = new Map<string, { claims: Claims; byTable: Map<string, number[]> }>();
    candidates.forEach((bySubscriber, i) => {
      const row = rows[i]!;
      const key = tableKey(row.schema_name, row.table_name);
      const shape = shapes.get(key);
      for (const s of bySubscriber.keys()) {
        const ck = claimsKey(s.claims);
        const seen = visible.get(ck) ?? new Set<number>();
        visible.set(ck, seen);
        if (!shape || !access.get(`${s.claims.role}:${key}`)?.table) continue;
        if (!shape.rowSecurity || row.type === 'DELETE' || s.claims.role === 'service_role') {
          seen.add(i);
          continue;
        }
        const entry = toCheck.get(ck) ?? { claims: s.claims, byTable: new Map<string, number[]>() };
        const list = entry.byTable.get(key) ?? [];
        if (list.at(-1) !== i) list.push(i);
        entry.byTable.set(key, list);
        toCheck.set(ck, entry);
      }
    });
    if (toCheck.size === 0) return visible;
    // Per table: every claims set that needs an answer, and the rows any of them asks about.
    const byTable = new Map<string, { claims: Claims[]; keys: string[]; rows: number[] }>();
    for (const [ck, entry] of toCheck) {
      for (const [key, indexes] of entry.byTable) {
        const t = byTable.get(key) ?? { claims: [], keys: [], rows: [] };
        t.claims.push(entry.claims);
        t.keys.push(ck);
        t.rows = [...new Set([...t.rows, ...indexes])].sort((a, b) => a - b);
        byTable.set(key, t);
      }
    }
    for (const [key, t] of byTable) {
      const shape = shapes.get(key)!;
      const match = shape.primaryKey.length
        ? shape.primaryKey.map((c) => `t.${ident(c)} = r.${ident(c)}`).join(' and ')
        : 't::text = r::text';
      const query = `select (c.n - 1)::int as n from jsonb_array_elements($1) with ordinality as c(rec, n)
        cross join lateral jsonb_populate_record(null::${qualified(shape)}, c.rec) as r
        where exists (select 1 from ${qualified(shape)} as t where ${match})`;
      const result = await tx.query<{ claim: number; n: number }>(
        'select claim, n from realtime.local_visible_rows($1, $2::jsonb[], $3::jsonb)',
        [query, t.claims.map((c) => JSON.stringify(c)), JSON.stringify(t.rows.map((i) => rows[i]!.record ?? {}))],
      );
      for (const r of result.rows) {
        const wanted = toCheck.get(t.keys[r.claim]!)!.byTable.get(key)!;
        const index = t.rows[r.n]!;
        if (wanted.includes(index)) visible.get(t.keys[r.claim]!)!.add(index);
      }
    }
    return visible;
  }

  private message(row: LogRow, shape: TableShape, bindings: ChangeBinding[], allowed: Set<string>): ChangeMessage {
    let columns = allowed;
    if (bindings.every((b) => b.select?.length)) {
      const selected = new Set(bindings.flatMap((b) => b.select ?? []));
      columns = new Set([...allowed].filter((c) => selected.has(c)));
    }
    const oldColumns = new Set(
      (row.type === 'DELETE' && shape.rowSecurity ? shape.primaryKey : shape.identityColumns).filter((c) => columns.has(c)),
    );
    const data: ChangeMessage['data'] = {
      schema: row.schema_name,
      table: row.table_name,
      commit_timestamp: new Date(row.commit_timestamp).toISOString(),
      type: row.type,
      columns: shape.columns.filter((c) => columns.has(c.name)),
      errors: null,
    };
    if (row.type !== 'DELETE') data.record = pick(row.record, columns);
    if (row.type !== 'INSERT') data.old_record = pick(row.old_record, oldColumns);
    return { ids: bindings.map((b) => b.id), data };
  }
}
