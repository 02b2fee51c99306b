import type { IncomingHttpHeaders } from 'node:http';

/** A request as the route handlers see it: parsed URL, headers, and the whole body (size already checked). */
export interface HttpRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The peer's address (the socket's), which per-IP limits count by. */
  ip: string;
}

/** What a handler answers. A `json` body is serialised; `text` and `body` (bytes) are sent as they are. */
export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  body?: Buffer;
}

export function jsonReply(status: number, json: unknown, headers?: Record<string, string>): HttpReply {
  return headers ? { status, json, headers } : { status, json };
}

/** One header's value, the first if it was sent more than once. */
export function headerValue(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Thrown by `parseJsonBody`; each service turns it into its own error shape. */
export class BodyParseError extends Error {
  override name = 'BodyParseError';
}

/** Parses the body as JSON; an empty body is `undefined`. */
export function parseJsonBody(request: HttpRequest): unknown {
  const text = request.body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyParseError(error instanceof Error ? error.message : String(error));
  }
}
