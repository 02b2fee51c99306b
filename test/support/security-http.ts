import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { SupabaseClient } from '@supabase/supabase-js';
import { JwtSigner } from '../../server/auth/jwt.ts';
import { LOCAL_ANON_KEY } from '../../server/auth/keys.ts';

/**
 * What the security tests send and check over HTTP: raw requests (for what supabase-js never
 * sends), the shapes of refusals, liveness, and hand-made tokens (forged, expired, unsigned,
 * tampered).
 */

export interface RawRequest {
  method?: string;
  /** Bearer token; null sends no Authorization header. Default: none. */
  token?: string | null;
  /** `apikey` header; null sends none. Default: the local anon key. */
  apikey?: string | null;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * Sends one request with node:http, so the path goes out byte for byte (fetch would resolve
 * `%2e%2e` and `..` before sending, and refuse some methods).
 */
export function send(baseUrl: string, path: string, request: RawRequest = {}): Promise<RawReply> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.apikey !== null) headers.apikey = request.apikey ?? LOCAL_ANON_KEY;
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: request.method ?? 'GET', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** A PostgREST error body: exactly code, message, details, hint, with the code and status given. */
export function assertRestError(reply: RawReply, status: number, code: string | RegExp, what = ''): void {
  const label = `${what} → ${reply.status} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, status, label);
  const body = reply.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(body ?? {}).sort(), ['code', 'details', 'hint', 'message'], label);
  assert.equal(typeof body.message, 'string', label);
  if (typeof code === 'string') assert.equal(body.code, code, label);
  else assert.match(String(body.code), code, label);
}

/** The server is still up: `/flock/health` answers `ok`. */
export async function assertHealthy(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/flock/health`);
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { status: string }).status, 'ok');
}

export async function accessToken(client: SupabaseClient): Promise<string> {
  const { data } = await client.auth.getSession();
  const token = data.session?.access_token;
  assert.ok(token, 'the client has a session');
  return token;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Tokens an attacker can make without the project's secret (and two with it, to test claims). */
export const tokens = {
  /** Signed with the local secret: what a valid token with these claims looks like. */
  signed: (claims: Record<string, unknown>) => new JwtSigner().sign({ exp: nowSeconds() + 3600, ...claims }),
  /** Signed with a secret of the attacker's own. */
  forged: (claims: Record<string, unknown>) =>
    new JwtSigner('an-attackers-own-secret-of-at-least-32-characters').sign({ exp: nowSeconds() + 3600, ...claims }),
  /** `alg: none` and an empty signature. */
  unsigned: (claims: Record<string, unknown>) =>
    `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ exp: nowSeconds() + 3600, ...claims })}.`,
  /** A real token whose payload was edited, keeping its original signature. */
  tampered: (token: string, patch: Record<string, unknown>) => {
    const [header, , signature] = token.split('.');
    return `${header}.${base64url({ ...claimsOf(token), ...patch })}.${signature}`;
  },
  /** Not tokens at all, or not three parts, or huge. */
  garbage: ['not-a-jwt', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30', '....', `${'A'.repeat(4000)}.${'B'.repeat(4000)}.C`],
};
