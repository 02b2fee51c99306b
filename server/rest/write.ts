import type { HttpReply } from '../http/types.ts';
import type { WriteBody } from './body.ts';
import { insertGroups, writeColumns } from './body.ts';
import { errors } from './errors.ts';
import { preferenceApplied } from './headers.ts';
import { bodyReply, contentRange, finish, runStatement, withOptional, type TableRequest } from './reply.ts';
import { deleteStatement, insertStatement, updateStatement, type ResultRow, type Returning } from './statements.ts';

/**
 * POST, PATCH and DELETE, answered as PostgREST's Response.hs answers them. Any error thrown
 * here, including a PGRST116 for `.single()` on a write that touched other than one row,
 * rolls the whole request back.
 */

function returning(req: TableRequest, allowHeadersOnly: boolean): Returning {
  if (req.prefs.return === 'representation') return 'rows';
  return allowHeadersOnly && req.prefs.return === 'headers-only' ? 'keys' : 'count';
}

/** PostgREST limits PATCH and DELETE with `limit`/`order`; here they would silently touch every match instead. */
function refuseLimit(req: TableRequest): void {
  if (req.query.limit !== undefined || req.query.offset !== undefined) {
    throw errors.notImplemented('limit and offset on PATCH and DELETE are not supported by the Flock local server');
  }
}

function checkAffected(req: TableRequest, row: ResultRow, enforceMaxAffected: boolean): number {
  const affected = Number(row.page_total);
  if (req.media.shape === 'object' && affected !== 1) throw errors.singularity(affected);
  const { handling, maxAffected } = req.prefs;
  if (enforceMaxAffected && handling === 'strict' && maxAffected !== undefined && affected > maxAffected) {
    throw errors.maxAffected(affected);
  }
  return affected;
}

function answer(req: TableRequest, row: ResultRow, okStatus: number, headers: Record<string, string>): HttpReply {
  if (req.prefs.return === 'representation') return finish(req.prefs, bodyReply(okStatus, row.body, req.media, headers));
  return finish(req.prefs, { status: okStatus === 200 ? 204 : okStatus, headers });
}

export async function handleInsert(req: TableRequest, body: WriteBody): Promise<HttpReply> {
  const columns = writeColumns(body, req.query.columns);
  const resolution = req.prefs.resolution;
  const target = req.query.onConflict ?? req.table.primaryKey;
  const row = await runStatement(
    req.tx,
    insertStatement(req.table, req.query, {
      body: body.raw,
      groups: insertGroups(body, columns, req.prefs.missing === 'default'),
      returning: returning(req, true),
      shape: req.media.shape,
      stripNulls: req.media.stripNulls,
      ...(resolution && { conflict: { action: resolution === 'merge-duplicates' ? 'merge' : 'ignore', target } }),
    }),
  );
  const affected = checkAffected(req, row, false);
  let headers: Record<string, string> = {
    'Content-Range': contentRange(1, 0, req.prefs.count === undefined ? undefined : affected),
  };
  const location = row.location ?? [];
  if (req.prefs.return === 'headers-only' && affected === 1 && location.length > 0) {
    const search = location.map((pair) => {
      const at = pair.indexOf('=');
      return `${encodeURIComponent(pair.slice(0, at))}=${encodeURIComponent(pair.slice(at + 1))}`;
    });
    headers.Location = `/${req.table.name}?${search.join('&')}`;
  }
  const kinds = [
    ...(target.length > 0 ? (['resolution'] as const) : []),
    ...(['missing', 'return', 'count', 'tx', 'handling'] as const),
  ];
  headers = withOptional(headers, 'Preference-Applied', preferenceApplied(req.prefs, kinds));
  return answer(req, row, 201, headers);
}

export async function handleUpdate(req: TableRequest, body: WriteBody): Promise<HttpReply> {
  refuseLimit(req);
  if (req.query.filters.length === 0 && req.query.logic.length === 0) throw errors.safeUpdate('UPDATE');
  const row = await runStatement(
    req.tx,
    updateStatement(req.table, req.query, {
      body: body.raw,
      columns: writeColumns(body, req.query.columns),
      returning: returning(req, false),
      shape: req.media.shape,
      stripNulls: req.media.stripNulls,
    }),
  );
  const affected = checkAffected(req, row, true);
  let headers: Record<string, string> = {
    'Content-Range': contentRange(0, affected - 1, req.prefs.count === undefined ? undefined : affected),
  };
  headers = withOptional(headers, 'Preference-Applied', preferenceApplied(req.prefs, ['missing', 'return', 'count', 'tx', 'handling', 'max-affected']));
  return answer(req, row, 200, headers);
}

export async function handleDelete(req: TableRequest): Promise<HttpReply> {
  refuseLimit(req);
  if (req.query.filters.length === 0 && req.query.logic.length === 0) throw errors.safeUpdate('DELETE');
  const row = await runStatement(
    req.tx,
    deleteStatement(req.table, req.query, {
      returning: returning(req, false),
      shape: req.media.shape,
      stripNulls: req.media.stripNulls,
    }),
  );
  const affected = checkAffected(req, row, true);
  let headers: Record<string, string> = {
    'Content-Range': contentRange(1, 0, req.prefs.count === undefined ? undefined : affected),
  };
  headers = withOptional(headers, 'Preference-Applied', preferenceApplied(req.prefs, ['return', 'count', 'tx', 'handling', 'max-affected']));
  return answer(req, row, 200, headers);
}
