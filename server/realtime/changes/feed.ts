import type { Claims, Database, Transaction } from '../../db.ts';
import { Binder, filterSql } from '../../rest/sql.ts';
import { bindingCovers, type ChangeBinding, type CompiledFilter } from './bindings.ts';
import { CHANGES_CHANNEL, syncCapture } from './capture.ts';
import { readTableShape, type TableShape } from './tables.ts';
import { checkVisibility, claimsKey, qualified, readAccess, tableKey, type Access } from './visibility.ts';

/**
 * Turns captured changes into postgres_changes messages. Woken by the capture trigger's
 * NOTIFY, it takes the log in commit order and, per batch, asks Postgres three questions
 * with as few statements as it can: which rows pass each distinct filter (one statement
 * per table), which rows each distinct set of JWT claims may select (one statement per
 * table: a check prepared once and run per claims set in a subtransaction of its own, as
 * that role so RLS decides, or once for a role whose policies show it every row), and which
 * columns each role may read (cached). A batch is about five statements however many
 * subscribers it reaches; what grows with them, where the policy depends on who is asking, is
 * one run of a prepared check per distinct claims set. Messages then go out in commit order.
 */

/** A channel member with postgres_changes bindings. */
export interface ChangeSubscriber {
  readonly claims: Claims;
  readonly changeBindings: readonly ChangeBinding[];
  deliverChange(payload: ChangeMessage): void;
  /** Ends the subscriber's channel with an error it can see, so its client re-joins and catches up. */
  fail(message: string): void;
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

export interface LogRow {
  id: number | bigint | string;
  schema_name: string;
  table_name: string;
  type: ChangeType;
  record: Row | null;
  old_record: Row | null;
  commit_timestamp: Date | string;
}

const BATCH = 500;

/** What a subscriber whose filter failed at delivery is told before its channel closes. */
const FILTER_FAILED = 'Subscription to PostgreSQL changes failed: the filter could not be evaluated; rejoin to catch up';

/**
 * A fingerprint of everything the cached shapes and privileges depend on: the tables' names,
 * grants, RLS flag and replica identity, their columns' names, types and grants, their
 * primary keys and policies, role memberships, and the role attributes privileges and
 * policies depend on. Any GRANT, REVOKE, ALTER (of a table, a policy or a role), CREATE or
 * DROP POLICY, rename or drop changes it.
 * The tables are found by oid (`$1`), which an index answers without reading all of pg_class.
 */
const fingerprintOf = (oids: string): string => /* sql */ `
  (select md5(coalesce(string_agg(
    c.oid::text || '|' || c.relnamespace::text || '|' || c.relname::text || '|' || coalesce(c.relacl::text, '') || '|' ||
    c.relrowsecurity::text || '|' || c.relreplident::text || '|' ||
    coalesce((select string_agg(a.attname::text || ':' || a.atttypid::text || ':' || coalesce(a.attacl::text, ''), ',' order by a.attnum)
      from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '') || '|' ||
    coalesce((select i.indkey::text from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary), '') || '|' ||
    coalesce((select string_agg(p.oid::text || ':' || p.polcmd::text || ':' || p.polpermissive::text || ':' || p.polroles::text || ':' ||
        coalesce(p.polqual::text, ''), ',' order by p.oid)
      from pg_catalog.pg_policy p where p.polrelid = c.oid), ''),
    ';' order by c.oid), '') || '|' ||
    coalesce((select string_agg(m::text, ',' order by m::text) from pg_catalog.pg_auth_members m), '') || '|' ||
    coalesce((select string_agg(a.oid::text || ':' || a.rolsuper::text || ':' || a.rolinherit::text || ':' || a.rolbypassrls::text, ',' order by a.oid)
      from pg_catalog.pg_authid a), ''))
  from pg_catalog.pg_class c
  where c.relkind in ('r', 'p') and c.oid = any(${oids}::oid[]))`;
const CATALOG_FINGERPRINT_SQL = `select ${fingerprintOf('$1')} as fingerprint`;

/** Takes the next changes off the log. */
const TAKE_SQL = /* sql */ `
  delete from realtime.local_change_log where id in (select id from realtime.local_change_log order by id limit ${BATCH})
  returning id, schema_name, table_name, type, record, old_record, commit_timestamp`;

/**
 * The same, in one statement with the fingerprint of the cached tables (`$1`), which is
 * checked before the cache answers for this batch.
 */
const TAKE_WITH_FINGERPRINT_SQL = /* sql */ `
  with taken as (${TAKE_SQL})
  select taken.*, ${fingerprintOf('$1')} as fingerprint from taken`;

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
  /**
   * Changes taken from the log, messages sent, batches worked out, the milliseconds spent
   * holding the database for them (`dbMs`) and handing the messages to sockets (`sendMs`), and
   * subscribers whose channel was closed because their filter failed at delivery.
   */
  readonly counts = { changes: 0, messages: 0, batches: 0, dbMs: 0, sendMs: 0, failedSubscribers: 0 };

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
        const batch = await this.nextBatch();
        taken = batch.taken;
        const start = performance.now();
        for (const [subscriber, message] of batch.out) subscriber.deliverChange(message);
        this.counts.sendMs += performance.now() - start;
        this.counts.messages += batch.out.length;
        if (taken) this.counts.batches++;
      } while (taken === BATCH && !this.stopped);
    } while (this.again && !this.stopped);
  }

  /**
   * One batch in one transaction: take changes off the log, work out who receives what,
   * and hand back the messages to send once it commits. A failure while working it out
   * rolls the transaction back, and the changes it had taken are then taken off the log on
   * their own: it loses that batch's messages (logged), never the log's order or the server.
   */
  private async nextBatch(): Promise<{ taken: number; out: [ChangeSubscriber, ChangeMessage][] }> {
    let ids: LogRow['id'][] = [];
    try {
      return await this.db.asOwner(async (tx) => {
        const start = performance.now();
        try {
          const subscribers = [...this.subscribers()].filter((s) => s.changeBindings.length > 0);
          const oids = subscribers.length ? [...this.shapes.values()].map((shape) => shape.oid) : [];
          const result = oids.length
            ? await tx.query<LogRow & { fingerprint?: string }>(TAKE_WITH_FINGERPRINT_SQL, [oids])
            : await tx.query<LogRow & { fingerprint?: string }>(TAKE_SQL);
          const rows = result.rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
          ids = rows.map((r) => r.id);
          this.counts.changes += rows.length;
          if (rows.length === 0 || subscribers.length === 0) return { taken: rows.length, out: [] };
          this.checkCatalog(result.rows[0]!.fingerprint ?? '');
          return { taken: rows.length, out: await this.prepare(tx, rows, subscribers) };
        } finally {
          this.counts.dbMs += performance.now() - start;
        }
      });
    } catch (error) {
      console.error('[flock] realtime: could not deliver database changes:', error);
      if (ids.length) {
        await this.db.asOwner((tx) => tx.query('delete from realtime.local_change_log where id = any($1::bigint[])', [ids.map(String)]));
      }
      return { taken: ids.length, out: [] };
    }
  }

  private async prepare(tx: Transaction, rows: LogRow[], subscribers: ChangeSubscriber[]): Promise<[ChangeSubscriber, ChangeMessage][]> {
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

    const { shapes, access } = this;
    for (const [i, row] of rows.entries()) {
      const key = tableKey(row.schema_name, row.table_name);
      if (!candidates[i]!.size || shapes.has(key)) continue;
      const shape = await readTableShape(tx, row.schema_name, row.table_name);
      if (shape) {
        shapes.set(key, shape);
        const result = await tx.query<{ fingerprint: string }>(CATALOG_FINGERPRINT_SQL, [[...shapes.values()].map((s) => s.oid)]);
        this.fingerprint = result.rows[0]?.fingerprint ?? '';
      }
    }
    await readAccess(tx, this.shapes, this.access, new Set(subscribers.map((s) => s.claims.role)));
    const { passing, broken } = await this.evaluateFilters(tx, rows, candidates);

    // Drop bindings whose filter the row fails, and rows of tables that are gone. A subscriber
    // whose filter could not be evaluated loses this change, so its channel errors (the kit
    // re-joins and catches up from the table) and the batch goes on for everyone else.
    const failed = new Set<ChangeSubscriber>();
    rows.forEach((row, i) => {
      const shape = shapes.get(tableKey(row.schema_name, row.table_name));
      for (const [s, bindings] of candidates[i]!) {
        if (bindings.some((b) => b.filter && broken.has(b.filter.key))) {
          failed.add(s);
          candidates[i]!.delete(s);
          continue;
        }
        const kept = shape ? bindings.filter((b) => !b.filter || passing.get(b.filter.key)?.has(i)) : [];
        if (kept.length) candidates[i]!.set(s, kept);
        else candidates[i]!.delete(s);
      }
    });
    for (const s of failed) s.fail(FILTER_FAILED);
    this.counts.failedSubscribers += failed.size;

    const visible = await checkVisibility(tx, rows, candidates, this.shapes, this.access);

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

  /**
   * For each distinct filter, the indexes of the rows that pass it: one statement per table,
   * which tests every filter on that table against every row of it that any filter asks about.
   * If that statement fails, each filter of the table is tried on its own, so only the filters
   * that cannot be evaluated (`broken`) lose the batch.
   */
  private async evaluateFilters(
    tx: Transaction,
    rows: LogRow[],
    candidates: Map<ChangeSubscriber, ChangeBinding[]>[],
  ): Promise<{ passing: Map<string, Set<number>>; broken: Set<string> }> {
    const tables = new Map<string, { schema: string; table: string; filters: Map<string, CompiledFilter>; rows: number[] }>();
    candidates.forEach((bySubscriber, i) => {
      for (const bindings of bySubscriber.values()) {
        for (const b of bindings) {
          // A binding with a filter names one table of one schema (bindings.ts refuses others).
          if (!b.filter || b.table === undefined) continue;
          const key = tableKey(b.schema, b.table);
          const entry = tables.get(key) ?? { schema: b.schema, table: b.table, filters: new Map<string, CompiledFilter>(), rows: [] };
          tables.set(key, entry);
          entry.filters.set(b.filter.key, b.filter);
          if (entry.rows.at(-1) !== i) entry.rows.push(i);
        }
      }
    });
    const passing = new Map<string, Set<number>>();
    const broken = new Set<string>();
    for (const [key, entry] of tables) {
      const subjects = JSON.stringify(entry.rows.map((i) => subjectOf(rows[i]!, this.shapes.get(key))));
      const filters = [...entry.filters.values()];
      let groups = [filters];
      let results = [await this.testFilters(tx, entry, subjects, filters)];
      if (!results[0]) {
        groups = filters.map((f) => [f]);
        results = [];
        for (const group of groups) results.push(await this.testFilters(tx, entry, subjects, group));
      }
      groups.forEach((group, g) => {
        const result = results[g];
        if (!result) {
          console.error(`[flock] realtime: filter ${group[0]!.key} could not be evaluated; its subscribers' channels are closed`);
          broken.add(group[0]!.key);
          return;
        }
        const sets = group.map((f) => {
          const set = new Set<number>();
          passing.set(f.key, set);
          return set;
        });
        for (const r of result) r.pass.forEach((ok, j) => ok && sets[j]!.add(entry.rows[r.n]!));
      });
    }
    return { passing, broken };
  }

  /** Tests `filters` against the subjects in a savepoint of its own; undefined if the statement fails. */
  private async testFilters(
    tx: Transaction,
    entry: { schema: string; table: string },
    subjects: string,
    filters: CompiledFilter[],
  ): Promise<{ n: number; pass: boolean[] }[] | undefined> {
    const b = new Binder();
    const json = b.bind(subjects);
    const tests = filters.map((f) => `coalesce((${f.terms.map((t) => filterSql(t, 'r', b)).join(' and ')}), false)`);
    await tx.query('savepoint evaluate_filters');
    try {
      const result = await tx.query<{ n: number; pass: boolean[] }>(
        `select (c.n - 1)::int as n, array[${tests.join(', ')}] as pass
         from jsonb_array_elements(${json}::jsonb) with ordinality as c(rec, n)
         cross join lateral jsonb_populate_record(null::${qualified(entry)}, c.rec) as r`,
        b.values,
      );
      await tx.query('release savepoint evaluate_filters');
      return result.rows;
    } catch {
      await tx.query('rollback to savepoint evaluate_filters');
      return undefined;
    }
  }

  /** Forgets the cached shapes and privileges when a grant or the tables' definition changed. */
  private checkCatalog(fingerprint: string): void {
    if (this.shapes.size === 0) return;
    if (fingerprint !== this.fingerprint) {
      this.shapes.clear();
      this.access.clear();
    }
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
