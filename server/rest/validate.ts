import type { Field, RestQuery } from './ast.ts';
import type { Catalog, TableInfo } from './catalog.ts';
import { errors } from './errors.ts';
import { embeddedRelations, logicFilters } from './parse.ts';
import { SLOW_PATTERN_DETAILS, slowPattern } from './patterns.ts';

/**
 * Checks every name a request uses against the catalog, in the order PostgREST meets them:
 * embedding (PGRST200, PGRST108), body columns (PGRST204), then columns in select, filters,
 * order and on_conflict (42703). After this, names are safe to quote into SQL.
 */

/** Column names the query string uses (select, filters, logic trees, order, on_conflict). */
export function queryColumns(query: RestQuery): string[] {
  const fields: Field[] = [
    ...query.select.flatMap((item) => (item.kind === 'field' ? [item.field] : [])),
    ...query.filters.map((f) => f.field),
    ...query.logic.flatMap(logicFilters).map((f) => f.field),
    ...query.order.map((o) => o.field),
  ];
  return [...fields.map((f) => f.name), ...(query.onConflict ?? [])];
}

/** Whether `catalog` knows `table` and all `columns`, i.e. whether it can answer without a reload. */
export function catalogKnows(catalog: Catalog, table: string, columns: readonly string[]): boolean {
  const info = catalog.tables.get(table);
  return info !== undefined && columns.every((c) => info.columns.includes(c));
}

export function checkNames(table: TableInfo, query: RestQuery, bodyColumns: readonly string[]): void {
  const [relation] = embeddedRelations(query.select);
  if (relation !== undefined) throw errors.noRelationship(table.name, relation);
  const [path] = query.embedPaths;
  if (path !== undefined) throw errors.notEmbedded(path);
  const missingBody = bodyColumns.find((c) => !table.columns.includes(c));
  if (missingBody !== undefined) throw errors.bodyColumnNotFound(table.name, missingBody);
  const missing = queryColumns(query).find((c) => !table.columns.includes(c));
  if (missing !== undefined) throw errors.undefinedColumn(table.name, missing);
  const slow = slowPattern([...query.filters, ...query.logic.flatMap(logicFilters)]);
  if (slow !== undefined) throw errors.slowPattern(slow, SLOW_PATTERN_DETAILS);
}
