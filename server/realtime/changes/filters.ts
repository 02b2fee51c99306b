import type { Transaction } from '../../db.ts';
import { Binder, filterSql } from '../../rest/sql.ts';
import type { CompiledFilter } from './bindings.ts';
import type { CatalogCache } from './catalog-cache.ts';
import { qualified, tableKey, type TableShape } from './tables.ts';
import type { Candidates, LogRow, Row } from './types.ts';

/**
 * Which rows of a batch pass each subscriber's filter, asked of Postgres so a filter means
 * what it means in PostgREST: one statement per table, which tests every distinct filter on
 * that table against every row of it that any filter asks about. If that statement fails,
 * each filter of the table is tried alone, so only the filters that cannot be evaluated
 * (`broken`) lose the batch.
 */

export interface FilterResults {
  /** Per filter key, the indexes of the rows that pass it. */
  passing: Map<string, Set<number>>;
  /** Keys of the filters that could not be evaluated. */
  broken: Set<string>;
}

/**
 * The row a filter looks at: the new one, or for a delete the old one as the replica
 * identity gives it (Supabase sees no more than that, so a delete filtered on a column
 * outside the identity never matches there either).
 */
function subjectOf(row: LogRow, shape: TableShape | undefined): Row {
  if (row.type !== 'DELETE') return row.record ?? {};
  const out: Row = {};
  if (!shape || !row.old_record) return out;
  for (const c of shape.identityColumns) if (c in row.old_record) out[c] = row.old_record[c];
  return out;
}

export async function evaluateFilters(tx: Transaction, rows: LogRow[], candidates: Candidates, catalog: CatalogCache): Promise<FilterResults> {
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
    const subjects = JSON.stringify(entry.rows.map((i) => subjectOf(rows[i]!, catalog.shapes.get(key))));
    const filters = [...entry.filters.values()];
    let groups = [filters];
    let results = [await testFilters(tx, entry, subjects, filters)];
    if (!results[0]) {
      groups = filters.map((f) => [f]);
      results = [];
      for (const group of groups) results.push(await testFilters(tx, entry, subjects, group));
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

/** Tests `filters` against the subjects (a JSON array of rows) in a savepoint of its own; undefined if the statement fails. */
async function testFilters(
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
