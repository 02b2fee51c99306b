import type { Database, Transaction } from '../../db.ts';
import { bindingCovers, type ChangeBinding } from './bindings.ts';
import { CHANGES_CHANNEL, syncCapture } from './capture.ts';
import { CatalogCache, fingerprintOf } from './catalog-cache.ts';
import { evaluateFilters } from './filters.ts';
import type { TableShape } from './tables.ts';
import type { Candidates, ChangeMessage, ChangeSubscriber, LogRow, Row } from './types.ts';
import { checkVisibility, claimsKey } from './visibility.ts';

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

const BATCH = 500;

/** What a subscriber whose filter failed at delivery is told before its channel closes. */
const FILTER_FAILED = 'Subscription to PostgreSQL changes failed: the filter could not be evaluated; rejoin to catch up';

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
  private readonly catalog = new CatalogCache();
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
          const oids = subscribers.length ? this.catalog.oids() : [];
          const result = oids.length
            ? await tx.query<LogRow & { fingerprint?: string }>(TAKE_WITH_FINGERPRINT_SQL, [oids])
            : await tx.query<LogRow & { fingerprint?: string }>(TAKE_SQL);
          const rows = result.rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
          ids = rows.map((r) => r.id);
          this.counts.changes += rows.length;
          if (rows.length === 0 || subscribers.length === 0) return { taken: rows.length, out: [] };
          this.catalog.check(result.rows[0]!.fingerprint ?? '');
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
    const candidates: Candidates = rows.map((row) => {
      const bySubscriber = new Map<ChangeSubscriber, ChangeBinding[]>();
      for (const s of subscribers) {
        const covering = s.changeBindings.filter((b) => bindingCovers(b, row.schema_name, row.table_name, row.type));
        if (covering.length) bySubscriber.set(s, covering);
      }
      return bySubscriber;
    });
    if (candidates.every((c) => c.size === 0)) return [];

    const { catalog } = this;
    const tables = rows.filter((_, i) => candidates[i]!.size).map((row) => ({ schema: row.schema_name, table: row.table_name }));
    await catalog.load(tx, tables, new Set(subscribers.map((s) => s.claims.role)));
    const { passing, broken } = await evaluateFilters(tx, rows, candidates, catalog);

    // Drop bindings whose filter the row fails, and rows of tables that are gone. A subscriber
    // whose filter could not be evaluated loses this change, so its channel errors (the kit
    // re-joins and catches up from the table) and the batch goes on for everyone else.
    const failed = new Set<ChangeSubscriber>();
    rows.forEach((row, i) => {
      const shape = catalog.shape(row.schema_name, row.table_name);
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

    const visible = await checkVisibility(tx, rows, candidates, catalog);

    const out: [ChangeSubscriber, ChangeMessage][] = [];
    rows.forEach((row, i) => {
      const shape = catalog.shape(row.schema_name, row.table_name);
      if (!shape) return;
      for (const [s, bindings] of candidates[i]!) {
        if (!visible.get(claimsKey(s.claims))?.has(i)) continue;
        const readable = catalog.accessOf(s.claims.role, row.schema_name, row.table_name);
        if (!readable?.table) continue;
        out.push([s, this.message(row, shape, bindings, readable.columns)]);
      }
    });
    return out;
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
