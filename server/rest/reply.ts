import type { Transaction } from '../db.ts';
import type { HttpReply } from '../http/types.ts';
import type { RestQuery } from './ast.ts';
import type { TableInfo } from './catalog.ts';
import { contentType, type Media, type Preferences } from './headers.ts';
import type { ResultRow, Statement } from './statements.ts';

/** What the table handlers share: the request they get, running its one statement, and shaping the answer. */

/** What every table handler gets: the request's transaction and its parsed, validated parts. */
export interface TableRequest {
  tx: Transaction;
  table: TableInfo;
  query: RestQuery;
  prefs: Preferences;
  media: Media;
}

/**
 * Parameters go to Postgres as the text the client sent, typed by inference, like PostgREST's
 * "unknown" literals. PGlite would otherwise re-serialise them by the inferred type (and,
 * for a boolean column, read the string "false" as true).
 */
const AS_SENT = new Proxy<Record<number, (value: unknown) => string>>({}, { get: () => (value: unknown) => String(value) });

export async function runStatement(tx: Transaction, statement: Statement): Promise<ResultRow> {
  const result = await tx.query<ResultRow>(statement.sql, statement.params, { serializers: AS_SENT });
  const row = result.rows[0];
  if (!row) throw new Error('REST statement returned no row');
  return row;
}

/** PostgREST's `contentRangeH`: `0-49/1234`, or `0-49/*` without a count; the range is `*` when nothing is in it. */
export function contentRange(lower: number, upper: number, total: number | undefined): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total === undefined ? '*' : total}`;
}

/** A JSON body Postgres already serialised, sent as is. */
export function bodyReply(status: number, body: string, media: Media, headers: Record<string, string>): HttpReply {
  return { status, text: body, headers: { ...headers, 'Content-Type': contentType(media) } };
}

export function withOptional(headers: Record<string, string>, name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? headers : { ...headers, [name]: value };
}

/** Thrown inside the transaction to end it with ROLLBACK while still answering `reply` (`Prefer: tx=rollback`). */
export class RollbackSignal extends Error {
  override name = 'RollbackSignal';
  constructor(readonly reply: HttpReply) {
    super('rolled back on request');
  }
}

export function finish(prefs: Preferences, reply: HttpReply): HttpReply {
  if (prefs.tx === 'rollback') throw new RollbackSignal(reply);
  return reply;
}
