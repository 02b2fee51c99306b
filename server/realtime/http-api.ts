import { resolveApiKey } from '../auth/request-auth.ts';
import type { Claims } from '../db.ts';
import type { Service } from '../http/service.ts';
import { headerValue, jsonReply, type HttpReply, type HttpRequest } from '../http/types.ts';
import { channelPermissions } from './authorization.ts';
import type { BroadcastBody } from './frames.ts';
import { RealtimeHub } from './hub.ts';
import { MAX_JSON_DEPTH, withinJsonDepth } from './json-depth.ts';
import { addressKey } from './limits.ts';
import type { RealtimeService } from './service.ts';
import { checkToken } from './token.ts';

/**
 * Realtime's REST side under `/realtime/v1/api`: the broadcast endpoints supabase-js uses
 * when a channel is not joined (`send` falls back to the batch endpoint, `httpSend` uses the
 * single one) and that servers use to push to rooms. Answers as Realtime does: 202 with no
 * body; 401 `{"message":"Unauthorized"}`; 422 `{"errors": …}`; private messages the caller
 * may not write are skipped by the batch endpoint and refused (403) by the single one.
 */

const unauthorized: HttpReply = { status: 401, json: { message: 'Unauthorized' } };

/** The gateway's apikey check, then Realtime's: the bearer token (or the apikey) must be a valid JWT or key. */
async function callerClaims(request: HttpRequest, realtime: RealtimeService): Promise<Claims | undefined> {
  const gateway = await resolveApiKey(request, realtime.env.signer);
  if (!gateway.ok) return undefined;
  const bearer = headerValue(request, 'authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const token = bearer ?? headerValue(request, 'apikey') ?? request.url.searchParams.get('apikey') ?? '';
  const check = await checkToken(token, realtime.env.signer);
  return check.ok ? check.claims : undefined;
}

async function mayWrite(realtime: RealtimeService, subTopic: string, claims: Claims): Promise<boolean> {
  return (await channelPermissions(realtime.env.db, subTopic, claims)).writeBroadcast;
}

interface BatchMessage {
  topic: string;
  event: string;
  payload: unknown;
  private: boolean;
  id?: string;
}

function readBatch(body: unknown, maxBytes: number): { messages: BatchMessage[] } | { errors: unknown } {
  const list = typeof body === 'object' && body !== null ? (body as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(list) || list.length === 0) return { errors: { messages: ["can't be blank"] } };
  const errors: Record<string, string[]>[] = [];
  const messages: BatchMessage[] = [];
  for (const raw of list as unknown[]) {
    const m = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const e: Record<string, string[]> = {};
    if (typeof m.topic !== 'string' || m.topic === '') e.topic = ["can't be blank"];
    if (typeof m.event !== 'string' || m.event === '') e.event = ["can't be blank"];
    if (m.payload === undefined || m.payload === null) e.payload = ["can't be blank"];
    else if (!withinJsonDepth(m.payload)) e.payload = [`is nested deeper than ${MAX_JSON_DEPTH} levels`];
    else if (Buffer.byteLength(JSON.stringify(m.payload)) > maxBytes) e.payload = ['Payload size exceeds tenant limit'];
    errors.push(e);
    messages.push({
      topic: String(m.topic),
      event: String(m.event),
      payload: m.payload,
      private: m.private === true,
      id: typeof m.id === 'string' ? m.id : undefined,
    });
  }
  return errors.some((e) => Object.keys(e).length) ? { errors: { messages: errors } } : { messages };
}

function deliver(realtime: RealtimeService, subTopic: string, isPrivate: boolean, event: string, body: BroadcastBody, id?: string): void {
  const topic = `realtime:${subTopic}`;
  realtime.env.hub.broadcast(RealtimeHub.room(topic, isPrivate), topic, undefined, event, body, id ? { id } : undefined);
}

/**
 * Broadcasts over HTTP count for the whole project, as Supabase's BroadcastController counts them
 * against the tenant's events per second (its `check_rate_limit`): a socket's own limits can't be
 * side-stepped by posting instead. Its two refusals, word for word. Each client address may
 * also take only its share of that budget (`addressSharePercent`, Flock's own), so one caller
 * cannot use it all up for the others.
 */
function overRate(realtime: RealtimeService, messages: number, request: HttpRequest): HttpReply | undefined {
  const now = Date.now();
  const own = realtime.httpBroadcastsByAddress.of(addressKey(request.ip), now);
  const left = Math.min(realtime.httpBroadcasts.left(now), own.left(now));
  const refusal = left <= 0 ? 'You have exceeded your rate limit' : messages > left ? 'Too many messages to broadcast, please reduce the batch size' : undefined;
  if (refusal === undefined) {
    realtime.httpBroadcasts.take(now, messages);
    own.take(now, messages);
    return undefined;
  }
  realtime.env.hub.stats.drop('rate_limited', messages);
  return jsonReply(429, { message: refusal });
}

async function batch(request: HttpRequest, realtime: RealtimeService, claims: Claims): Promise<HttpReply> {
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    return jsonReply(422, { errors: { messages: ['body must be JSON: {"messages": [...]}'] } });
  }
  const read = readBatch(body, realtime.env.limits.maxPayloadBytes);
  if ('errors' in read) return jsonReply(422, { errors: read.errors });
  const limited = overRate(realtime, read.messages.length, request);
  if (limited) return limited;
  for (const m of read.messages) {
    if (m.private && !(await mayWrite(realtime, m.topic, claims))) continue;
    deliver(realtime, m.topic, m.private, m.event, { kind: 'json', value: m.payload }, m.id);
  }
  return { status: 202 };
}

async function single(request: HttpRequest, realtime: RealtimeService, claims: Claims, subTopic: string, event: string): Promise<HttpReply> {
  const type = (headerValue(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let body: BroadcastBody;
  if (type === 'application/json') {
    try {
      body = { kind: 'json', value: JSON.parse(request.body.toString('utf8')) };
    } catch {
      return jsonReply(422, { message: 'body is not valid JSON' });
    }
    if (!withinJsonDepth(body.value)) return jsonReply(422, { message: `body is nested deeper than ${MAX_JSON_DEPTH} levels` });
  } else if (type === 'application/octet-stream') {
    body = { kind: 'binary', bytes: new Uint8Array(request.body) };
  } else {
    return jsonReply(415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' });
  }
  if (request.body.length > realtime.env.limits.maxPayloadBytes) return jsonReply(422, { message: 'Payload size exceeds tenant limit' });
  const isPrivate = request.url.searchParams.get('private') === 'true';
  if (isPrivate && !(await mayWrite(realtime, subTopic, claims))) return jsonReply(403, { message: 'Unauthorized' });
  const limited = overRate(realtime, 1, request);
  if (limited) return limited;
  deliver(realtime, subTopic, isPrivate, event, body);
  return { status: 202 };
}

export function realtimeApiService(realtime: RealtimeService): Service {
  return {
    prefix: '/realtime/v1',
    error: (status, message) => jsonReply(status, { message }),
    async handle(request) {
      const path = request.url.pathname.slice('/realtime/v1'.length).replace(/\/$/, '');
      if (path === '/websocket') return jsonReply(400, { message: 'expected a WebSocket upgrade' });
      const singlePath = path.match(/^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/);
      if (path !== '/api/broadcast' && !singlePath) return jsonReply(404, { message: 'no Route matched with those values' });
      if (request.method !== 'POST') return jsonReply(405, { message: 'method not allowed' });
      const claims = await callerClaims(request, realtime);
      if (!claims) return unauthorized;
      if (singlePath) {
        let subTopic: string;
        let event: string;
        try {
          subTopic = decodeURIComponent(singlePath[1]!);
          event = decodeURIComponent(singlePath[2]!);
        } catch {
          return jsonReply(400, { message: 'malformed topic or event in the path' });
        }
        return single(request, realtime, claims, subTopic, event);
      }
      return batch(request, realtime, claims);
    },
  };
}

/**
 * `GET /flock/stats`, for tests and status demos: Realtime's counters and limits, the REST
 * limits in force (`rest`), and the auth limits with their refusals (`auth`).
 */
export function statsService(realtime: RealtimeService): Service {
  return {
    prefix: '/flock',
    error: (status, message) => jsonReply(status, { message }),
    async handle(request, ctx) {
      if (request.url.pathname !== '/flock/stats') return jsonReply(404, { message: 'no Route matched with those values' });
      if (request.method !== 'GET') return jsonReply(405, { message: 'method not allowed' });
      const { limits, refused } = ctx.authRateLimiter;
      return jsonReply(200, { ...realtime.snapshot(), rest: { maxRows: ctx.maxRows }, auth: { limits, refused } }, { 'Cache-Control': 'no-store' });
    },
  };
}
