import { resolveRequestAuth } from '../auth/request-auth.ts';
import type { ServerContext } from '../context.ts';
import type { Claims } from '../db.ts';
import type { Service } from '../http/service.ts';
import { headerValue, type HttpReply, type HttpRequest } from '../http/types.ts';
import { parseInsertBody, parseUpdateBody, type WriteBody } from './body.ts';
import { catalogFor, suggestTable } from './catalog.ts';
import { authFailureReply, errorReply, errors, fromDatabaseError, RestError } from './errors.ts';
import { checkContentType, checkProfile, negotiateMedia, parsePreferences, parseRangeHeader } from './headers.ts';
import { parseQuery } from './parse.ts';
import { handleRead, readRange } from './read.ts';
import { RollbackSignal } from './reply.ts';
import { catalogKnows, checkNames, queryColumns } from './validate.ts';
import { handleDelete, handleInsert, handleUpdate } from './write.ts';

/**
 * `/rest/v1`: the PostgREST subset supabase-js uses. Checks run in PostgREST's order: API key
 * and JWT, path, headers, query string and body (all before any SQL), then one transaction
 * as the caller's role for the catalog check and the statement.
 */

const PREFIX = '/rest/v1';
const TABLE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']);

type Route = { kind: 'root' } | { kind: 'table'; name: string } | { kind: 'rpc'; name: string };

function routeOf(pathname: string): Route {
  const rest = pathname.slice(PREFIX.length);
  if (rest === '' || rest === '/') return { kind: 'root' };
  let segments: string[];
  try {
    segments = rest.slice(1).split('/').map(decodeURIComponent);
  } catch {
    throw errors.invalidPath();
  }
  const [first = '', second] = segments;
  if (segments.length === 1 && first !== '') return { kind: 'table', name: first };
  if (segments.length === 2 && first === 'rpc' && second) return { kind: 'rpc', name: second };
  throw errors.invalidPath();
}

/** PostgREST's `Content-Location`: the table and its query string, parameters sorted. */
function contentLocation(table: string, params: URLSearchParams): string {
  const sorted = new URLSearchParams([...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const search = sorted.toString();
  return `/${encodeURIComponent(table)}${search ? `?${search}` : ''}`;
}

async function serveTable(request: HttpRequest, ctx: ServerContext, claims: Claims, name: string): Promise<HttpReply> {
  const method = request.method.toUpperCase();
  if (!TABLE_METHODS.has(method)) throw errors.unsupportedMethod(method);
  const reading = method === 'GET' || method === 'HEAD';
  checkProfile(headerValue(request, reading ? 'accept-profile' : 'content-profile'));
  const query = parseQuery(request.url.searchParams);
  const prefs = parsePreferences(headerValue(request, 'prefer'));
  const media = negotiateMedia(headerValue(request, 'accept'));
  const range = reading ? readRange(query, parseRangeHeader(headerValue(request, 'range')), ctx.maxRows) : undefined;
  let body: WriteBody | undefined;
  if (method === 'POST' || method === 'PATCH') {
    checkContentType(headerValue(request, 'content-type'));
    body = method === 'POST' ? parseInsertBody(request, query.columns !== undefined) : parseUpdateBody(request);
  }
  const bodyColumns = body ? (query.columns ?? [...new Set(body.rows.flat())]) : [];
  const names = [...queryColumns(query), ...bodyColumns];

  return ctx.db.asRole(claims, async (tx) => {
    const catalog = await catalogFor(ctx.db, tx, (c) => catalogKnows(c, name, names));
    const table = catalog.tables.get(name);
    if (!table) throw errors.tableNotFound(name, suggestTable(catalog, name));
    checkNames(table, query, bodyColumns);
    const req = { tx, table, query, prefs, media };
    if (range) return handleRead(req, method === 'HEAD', range, contentLocation(name, request.url.searchParams));
    if (method === 'POST' && body) return handleInsert(req, body);
    if (method === 'PATCH' && body) return handleUpdate(req, body);
    return handleDelete(req);
  });
}

/** `GET /rest/v1/`: a minimal OpenAPI listing of the exposed tables and their columns. */
async function serveRoot(request: HttpRequest, ctx: ServerContext, claims: Claims): Promise<HttpReply> {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') throw errors.unsupportedMethod(method);
  checkProfile(headerValue(request, 'accept-profile'));
  const catalog = await ctx.db.asRole(claims, (tx) => catalogFor(ctx.db, tx, () => false));
  const tables = [...catalog.tables.values()].sort((a, b) => a.name.localeCompare(b.name));
  const json = {
    swagger: '2.0',
    info: { title: 'Flock local REST (PostgREST subset)', version: ctx.version },
    basePath: '/rest/v1',
    consumes: ['application/json', 'application/vnd.pgrst.object+json'],
    produces: ['application/json', 'application/vnd.pgrst.object+json'],
    paths: Object.fromEntries([
      ['/', { get: { summary: 'OpenAPI description (this document)' } }],
      ...tables.map((t) => [`/${t.name}`, { get: {}, post: {}, patch: {}, delete: {} }]),
    ]),
    definitions: Object.fromEntries(
      tables.map((t) => [t.name, { type: 'object', required: [...t.primaryKey], properties: Object.fromEntries(t.columns.map((c) => [c, {}])) }]),
    ),
  };
  return { status: 200, json: method === 'HEAD' ? undefined : json, headers: { 'Content-Type': 'application/openapi+json; charset=utf-8' } };
}

async function serve(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const auth = await resolveRequestAuth(request, ctx.signer);
  if (!auth.ok) return authFailureReply(auth.failure, headerValue(request, 'authorization'));
  const authed = auth.claims.role !== 'anon';
  try {
    const route = routeOf(request.url.pathname);
    if (route.kind === 'rpc') throw errors.noFunction(route.name);
    if (route.kind === 'root') return await serveRoot(request, ctx, auth.claims);
    return await serveTable(request, ctx, auth.claims, route.name);
  } catch (error) {
    if (error instanceof RollbackSignal) return error.reply;
    if (error instanceof RestError) return errorReply(error);
    const pgError = fromDatabaseError(error, authed);
    if (pgError) return errorReply(pgError);
    throw error;
  }
}

export const restService: Service = {
  prefix: PREFIX,
  handle: serve,
  error: (status, message) => ({ status, json: { code: String(status), message, details: null, hint: null } }),
};
