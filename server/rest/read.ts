import type { HttpReply } from '../http/types.ts';
import { errors } from './errors.ts';
import { preferenceApplied } from './headers.ts';
import { bodyReply, contentRange, finish, runStatement, withOptional, type TableRequest } from './reply.ts';
import { readStatement } from './statements.ts';

/**
 * Which rows a read asks for: `offset`/`limit` intersected with a `Range` header, as PostgREST
 * does, and never more than `maxRows` (PostgREST's `db-max-rows`; Supabase's `max_rows`,
 * 1000 by default): a larger or absent limit is cut to it, and `Content-Range` then shows the
 * rows actually sent.
 */
export function readRange(
  query: { limit?: number; offset?: number },
  header: { from: number; to?: number } | undefined,
  maxRows = Infinity,
): { offset: number; limit?: number } {
  const urlFrom = query.offset ?? 0;
  const urlTo = query.limit === undefined ? undefined : urlFrom + query.limit - 1;
  const from = Math.max(urlFrom, header?.from ?? 0);
  const tos = [urlTo, header?.to].filter((n): n is number => n !== undefined);
  const asked = tos.length === 0 ? Infinity : Math.max(0, Math.min(...tos) - from + 1);
  const limit = Math.min(asked, maxRows);
  return limit === Infinity ? { offset: from } : { offset: from, limit };
}

/** GET and HEAD: rows as JSON, `Content-Range` always, a total with `Prefer: count=...`. */
export async function handleRead(
  req: TableRequest,
  head: boolean,
  range: { offset: number; limit?: number },
  contentLocation: string,
): Promise<HttpReply> {
  const count = req.prefs.count !== undefined;
  const statement = readStatement(req.table, req.query, {
    count,
    shape: head ? 'none' : req.media.shape,
    stripNulls: req.media.stripNulls,
    offset: range.offset,
    ...(range.limit !== undefined && { limit: range.limit }),
  });
  const row = await runStatement(req.tx, statement);
  const pageTotal = Number(row.page_total);
  const total = row.total === null ? undefined : Number(row.total);
  if (req.media.shape === 'object' && pageTotal !== 1) throw errors.singularity(pageTotal);

  const lower = range.offset;
  const upper = lower + pageTotal - 1;
  if (total !== undefined && lower > total) {
    throw errors.invalidRange(`An offset of ${lower} was requested, but there are only ${total} rows.`);
  }
  // 206 when a count shows the page is not everything: supabase-js reads any 2xx the same way.
  const status = total !== undefined && pageTotal < total ? 206 : 200;
  let headers: Record<string, string> = { 'Content-Range': contentRange(lower, upper, total), 'Content-Location': contentLocation };
  headers = withOptional(headers, 'Preference-Applied', preferenceApplied(req.prefs, ['count', 'tx', 'handling']));
  return finish(req.prefs, bodyReply(status, head ? '' : row.body, req.media, headers));
}
