import { BodyParseError, parseJsonBody, type HttpRequest } from '../http/types.ts';
import { errors } from './errors.ts';
import type { InsertGroup } from './statements.ts';

/**
 * Write bodies, read the way PostgREST's Payload.hs reads them. The body goes to Postgres
 * as the text that was sent; JSON.parse here only learns the keys, so an int8 or numeric
 * value is never rounded through a JavaScript number.
 */

export interface WriteBody {
  raw: string;
  /** The keys of each row object, in body order. */
  rows: string[][];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsed(request: HttpRequest): unknown {
  try {
    const value = parseJsonBody(request);
    if (value === undefined) throw errors.invalidBody('Empty or invalid json');
    return value;
  } catch (error) {
    if (error instanceof BodyParseError) throw errors.invalidBody('Empty or invalid json', error.message);
    throw error;
  }
}

/** An insert body: an object, or an array of objects with the same keys unless `columns=` says which to use. */
export function parseInsertBody(request: HttpRequest, hasColumnsParam: boolean): WriteBody {
  const value = parsed(request);
  if (isObject(value)) return { raw: request.body.toString('utf8'), rows: [Object.keys(value)] };
  // PostgREST reads a JSON scalar as an empty array: nothing to insert.
  if (!Array.isArray(value)) return { raw: '[]', rows: [] };
  const rows: string[][] = [];
  for (const element of value) {
    if (!isObject(element)) throw errors.invalidBody('All object keys must match');
    rows.push(Object.keys(element));
  }
  const first = new Set(rows[0] ?? []);
  const uniform = rows.every((keys) => keys.length === first.size && keys.every((k) => first.has(k)));
  if (!hasColumnsParam && !uniform) throw errors.invalidBody('All object keys must match');
  return { raw: request.body.toString('utf8'), rows };
}

/** An update body: one object whose keys are the columns to set. */
export function parseUpdateBody(request: HttpRequest): WriteBody {
  const value = parsed(request);
  if (!isObject(value)) throw errors.invalidBody('Empty or invalid json', 'PATCH expects one JSON object');
  return { raw: request.body.toString('utf8'), rows: [Object.keys(value)] };
}

/** The columns a write sets: `columns=` when given, else the body's keys. */
export function writeColumns(body: WriteBody, columnsParam: readonly string[] | undefined): string[] {
  return [...(columnsParam ?? body.rows[0] ?? [])];
}

/**
 * Splits insert rows into statements. Normally one: every row sets every column (a key a
 * row lacks becomes null, `missing=null`). With `missing=default`, rows are grouped by the
 * keys they have, so each group's insert leaves the others to the column defaults.
 */
export function insertGroups(body: WriteBody, columns: readonly string[], missingDefault: boolean): InsertGroup[] {
  if (body.rows.length === 0) return [];
  if (!missingDefault) return [{ columns }];
  const groups = new Map<string, { columns: string[]; rows: number[] }>();
  body.rows.forEach((keys, index) => {
    const present = columns.filter((c) => keys.includes(c));
    const key = JSON.stringify(present);
    const group = groups.get(key) ?? { columns: present, rows: [] };
    group.rows.push(index + 1);
    groups.set(key, group);
  });
  if (groups.size === 1) return [{ columns: [...groups.values()][0]?.columns ?? [] }];
  return [...groups.values()];
}
