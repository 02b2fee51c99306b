import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServerContext } from '../context.ts';
import { BodyTooLargeError, readBody } from './body.ts';
import { corsHeaders } from './cors.ts';
import type { Service } from './service.ts';
import type { HttpReply } from './types.ts';

/** The fallback shape for paths no service owns, like the Supabase gateway's. */
const notFound: HttpReply = { status: 404, json: { message: 'no Route matched with those values' } };

/**
 * The HTTP front door: CORS, body limits, and dispatch by path prefix. Every failure becomes
 * an answer in the owning service's error shape; nothing a client sends can crash the process.
 */
export function createHttpServer(ctx: ServerContext, services: readonly Service[]): Server {
  return createServer((request, response) => {
    void dispatch(ctx, services, request, response);
  });
}

async function dispatch(
  ctx: ServerContext,
  services: readonly Service[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const cors = corsHeaders(request);
  if (request.method === 'OPTIONS') {
    send(response, { status: 204 }, cors);
    return;
  }
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://localhost');
  } catch {
    send(response, { status: 400, json: { message: 'malformed request URL' } }, cors);
    return;
  }
  // A service with the empty prefix (static files) takes whatever no other service owns.
  const service = services.find((s) => url.pathname === s.prefix || url.pathname.startsWith(`${s.prefix}/`));
  if (!service) {
    request.resume();
    send(response, notFound, cors);
    return;
  }
  let reply: HttpReply;
  try {
    const body = await readBody(request, ctx.maxBodyBytes);
    reply = await service.handle({ method: request.method ?? 'GET', url, headers: request.headers, body, ip: request.socket.remoteAddress ?? '' }, ctx);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      reply = service.error(413, error.message);
      // Stop reading the rest of an oversized upload; the client gets its answer and the socket closes.
      reply.headers = { ...reply.headers, Connection: 'close' };
    } else {
      console.error(`[flock] ${request.method} ${url.pathname} failed:`, error);
      reply = service.error(500, error instanceof Error ? error.message : 'internal error');
    }
  }
  send(response, reply, cors);
}

function send(response: ServerResponse, reply: HttpReply, cors: Record<string, string>): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string> = { ...cors, ...reply.headers };
  let payload: string | Buffer | undefined;
  if (reply.body !== undefined) {
    payload = reply.body;
  } else if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
  }
  response.writeHead(reply.status, headers);
  response.end(payload);
}
