import { JwtError, type JwtSigner } from '../auth/jwt.ts';
import { OPAQUE_KEYS } from '../auth/keys.ts';
import { isDatabaseRole, type Claims } from '../db.ts';

/**
 * Tokens as Supabase Realtime checks them (`ChannelsAuthorization`): a JWT must be well
 * formed, signed with the project's secret, unexpired, and carry `role` and `exp`. The
 * project's opaque `sb_` keys stand for their role. Failures carry Realtime's wording.
 */

export interface TokenFailure {
  kind: 'malformed' | 'signature' | 'claims' | 'role' | 'expired';
  /** Realtime's message, without its error-code prefix. */
  message: string;
}

/** The error code Realtime puts before a join refusal's message. */
export const FAILURE_CODES: Record<TokenFailure['kind'], string> = {
  malformed: 'MalformedJWT',
  signature: 'JwtSignatureError',
  claims: 'InvalidJWTToken',
  role: 'InvalidJWTToken',
  expired: 'InvalidJWTToken',
};

export type TokenCheck = { ok: true; claims: Claims } | { ok: false; failure: TokenFailure };

const MALFORMED: TokenFailure = { kind: 'malformed', message: 'The token provided is not a valid JWT' };

function payloadOf(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** "Token has expired N seconds ago", N as Realtime counts it. */
export function expiredMessage(exp: unknown): string {
  const ago = typeof exp === 'number' ? Math.max(0, Math.floor(Date.now() / 1000) - exp) : 0;
  return `Token has expired ${ago} seconds ago`;
}

export async function checkToken(token: string, signer: JwtSigner): Promise<TokenCheck> {
  const opaque = OPAQUE_KEYS.get(token);
  if (opaque) return { ok: true, claims: { role: opaque } };
  const unverified = payloadOf(token);
  if (!unverified) return { ok: false, failure: MALFORMED };
  if (unverified.role === undefined || typeof unverified.exp !== 'number') {
    return { ok: false, failure: { kind: 'claims', message: 'Fields `role` and `exp` are required in JWT' } };
  }
  let payload: Record<string, unknown>;
  try {
    payload = await signer.verify(token);
  } catch (error) {
    if (error instanceof JwtError && error.reason === 'expired') {
      return { ok: false, failure: { kind: 'expired', message: expiredMessage(unverified.exp) } };
    }
    return { ok: false, failure: { kind: 'signature', message: 'Failed to validate JWT signature' } };
  }
  // A role Postgres does not have could never pass an RLS check.
  if (!isDatabaseRole(payload.role)) return { ok: false, failure: { kind: 'role', message: `role "${String(payload.role)}" does not exist` } };
  return { ok: true, claims: { ...payload, role: payload.role } };
}
