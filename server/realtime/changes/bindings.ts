import type { Transaction } from '../../db.ts';
import type { Database } from '../../db.ts';
import { Binder, filterSql, ident } from '../../rest/sql.ts';
import type { Filter } from '../../rest/ast.ts';
import { FilterSyntaxError, parseChangeFilter } from './filter-syntax.ts';

/**
 * A channel's postgres_changes bindings, checked at join time: the client's parameters as
 * sent (echoed back verbatim with an id, which is what realtime-js matches on), the table
 * they name, and the filter compiled to a SQL predicate over a row of that table.
 */

export type ChangeEvent = 'INSERT' | 'UPDATE' | 'DELETE' | '*';
const EVENTS: readonly ChangeEvent[] = ['INSERT', 'UPDATE', 'DELETE', '*'];

/** The join payload's entry, exactly as the client sent it. */
export interface BindingParams {
  event: string;
  schema: string;
  table?: string;
  filter?: string;
  select?: string[];
  [other: string]: unknown;
}

/** A filter checked against one table: its terms (ANDed), which delivery compiles to SQL over a row `r`. */
export interface CompiledFilter {
  key: string;
  terms: readonly Filter[];
}

export interface ChangeBinding {
  id: number;
  event: ChangeEvent;
  /** `*` for every schema. */
  schema: string;
  /** Undefined (or `*`) for every table of the schema. */
  table?: string;
  filter?: CompiledFilter;
  select?: readonly string[];
}

/** A join refused because of its bindings; the reason is sent to the client. */
export class BindingError extends Error {
  override name = 'BindingError';
}

let nextBindingId = 1;

function describe(p: Record<string, unknown>): string {
  return `[event: ${String(p.event)}, schema: ${String(p.schema)}, table: ${String(p.table ?? '*')}, filters: [${p.filter === undefined ? '' : String(p.filter)}]]`;
}

/** Reads one binding's shape. Like Realtime, an event it does not know means every event. */
function readParams(raw: unknown): BindingParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BindingError('each postgres_changes binding must be an object');
  const p = raw as Record<string, unknown>;
  if (typeof p.schema !== 'string' || p.schema === '') {
    throw new BindingError(`No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${describe(p)}`);
  }
  for (const key of ['table', 'filter'] as const) {
    if (p[key] !== undefined && p[key] !== null && typeof p[key] !== 'string') throw new BindingError(`postgres_changes ${key} must be a string: ${describe(p)}`);
  }
  if (p.select !== undefined && p.select !== null && (!Array.isArray(p.select) || !p.select.every((c) => typeof c === 'string'))) {
    throw new BindingError('postgres_changes select must be a list of column names');
  }
  return p as BindingParams;
}

function eventOf(p: Record<string, unknown>): ChangeEvent {
  const event = typeof p.event === 'string' ? p.event.toUpperCase() : '*';
  return EVENTS.includes(event as ChangeEvent) ? (event as ChangeEvent) : '*';
}

/** A published table's columns, and which of them the subscriber's role may read (as Realtime's `subscription_check_filters`). */
const TABLE_SQL = /* sql */ `
  select a.attname as column, has_column_privilege($3::text, c.oid, a.attnum, 'SELECT') as readable
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')
    and exists (select 1 from pg_catalog.pg_publication_tables t
                where t.pubname = 'supabase_realtime' and t.schemaname = $1 and t.tablename = $2)`;

async function compileFilter(
  tx: Transaction,
  schema: string,
  table: string,
  filter: string,
  columns: ReadonlyMap<string, boolean>,
): Promise<CompiledFilter> {
  let filters;
  try {
    filters = parseChangeFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new BindingError(`Error parsing \`filter\` params: ${error.message}`);
    throw error;
  }
  for (const f of filters) {
    if (!columns.has(f.field.name)) throw new BindingError(`Error parsing \`filter\` params: column '${f.field.name}' does not exist in ${schema}.${table}`);
    if (!columns.get(f.field.name)) throw new BindingError(`invalid column for filter ${f.field.name}`);
  }
  const b = new Binder();
  const row = b.bind('{}');
  const where = filters.map((f) => filterSql(f, 'r', b)).join(' and ');
  // A regex is compiled only when a row is tested, so the predicate on no rows cannot see a bad
  // one (`body=match.(`): each pattern is compiled against '' as well.
  const patterns = filters.flatMap((f) => {
    const op = f.operation;
    return op.kind === 'value' && (op.op === 'match' || op.op === 'imatch') ? [`''::text ${op.op === 'match' ? '~' : '~*'} ${b.bind(op.value)}::text`] : [];
  });
  // Run the predicate once on no rows, so a value the column's type cannot read, or a pattern
  // that does not compile, is refused now, not at delivery.
  try {
    await tx.query(`savepoint check_filter`);
    await tx.query(
      `select ${[...patterns, `exists (select 1 from jsonb_populate_record(null::${ident(schema)}.${ident(table)}, ${row}::jsonb) r where false and (${where}))`].join(', ')}`,
      b.values,
    );
    await tx.query(`release savepoint check_filter`);
  } catch (error) {
    await tx.query(`rollback to savepoint check_filter`);
    throw new BindingError(`Error parsing \`filter\` params: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { key: `${schema}.${table}:${filter}`, terms: filters };
}

/** A join's bindings: ids for the reply (one per entry, as sent), and the ones that will deliver. */
export interface CompiledBindings {
  /** What the join reply lists: every entry the client sent, with an id. */
  reply: Record<string, unknown>[];
  /** The bindings that deliver changes: all of them, or none if one could not be read. */
  active: ChangeBinding[];
  /** Why none are active, for the `system` error message. */
  error?: string;
}

/**
 * Checks and compiles the bindings of one join for a subscriber of `role`: tables must be in
 * the `supabase_realtime` publication, filter columns readable by the role. As in Realtime, bad bindings do not refuse
 * the join: the reply still lists every binding with an id (realtime-js closes the channel
 * otherwise), and the problem arrives as a postgres_changes `system` error.
 */
export async function compileBindings(db: Database, raw: unknown, role: string): Promise<CompiledBindings> {
  const entries = Array.isArray(raw) ? (raw as unknown[]) : [];
  const reply = entries.map((e) => ({ ...(typeof e === 'object' && e !== null ? e : {}), id: nextBindingId++ }));
  if (entries.length === 0) return { reply, active: [] };
  try {
    const params = entries.map(readParams);
    const active = await db.asOwner(async (tx) => {
      const out: ChangeBinding[] = [];
      for (const [i, p] of params.entries()) {
        const table = p.table === '*' || p.table === null || p.table === '' ? undefined : p.table;
        const schema = p.schema;
        let filter: CompiledFilter | undefined;
        const filterText = typeof p.filter === 'string' && p.filter.trim() !== '' ? p.filter : undefined;
        if (table !== undefined && schema !== '*') {
          const rows = (await tx.query<{ column: string; readable: boolean }>(TABLE_SQL, [schema, table, role])).rows;
          const columns = new Map(rows.map((r) => [r.column, r.readable]));
          if (columns.size === 0) {
            throw new BindingError(
              `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describe(p)}`,
            );
          }
          for (const c of p.select ?? []) if (!columns.has(c)) throw new BindingError(`select column '${c}' does not exist in ${schema}.${table}`);
          if (filterText !== undefined) filter = await compileFilter(tx, schema, table, filterText, columns);
        } else if (filterText !== undefined) {
          throw new BindingError(`Error parsing \`filter\` params: a filter needs a table: ${describe(p)}`);
        }
        out.push({ id: reply[i]!.id, event: eventOf(p), schema, table, filter, select: p.select ?? undefined });
      }
      return out;
    });
    return { reply, active };
  } catch (error) {
    if (!(error instanceof BindingError)) throw error;
    return { reply, active: [], error: error.message };
  }
}

/** Whether a binding covers a change of `type` to `schema.table` (filters aside). */
export function bindingCovers(b: ChangeBinding, schema: string, table: string, type: string): boolean {
  return (b.event === '*' || b.event === type) && (b.schema === '*' || b.schema === schema) && (b.table === undefined || b.table === table);
}
