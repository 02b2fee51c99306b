import { isDatabaseRole, type Claims } from '../db.ts';
import { headerValue, type HttpRequest } from '../http/types.ts';
import { JwtError, type JwtSigner } from './jwt.ts';
import { OPAQUE_KEYS } from './keys.ts';

/** Why a request's credentials were refused; each service words it in its own error shape. */
export type AuthFailure =
  | { kind: 'no-apikey'; message: string }
  | { kind: 'invalid-apikey'; message: string }
  | { kind: 'jwt-expired'; message: string }
  | { kind: 'jwt-invalid'; message: string };

export type RequestAuth =
  | { ok: true; claims: Claims }
  | { ok: false; failure: AuthFailure };

/**
 * Resolves the caller as the Supabase gateway and PostgREST do together: an `apikey`
 * (header or query parameter) must be present and valid; the bearer token, if any,
 * decides the role and claims, otherwise the apikey does.
 */
export async function resolveRequestAuth(request: HttpRequest, signer: JwtSigner): Promise<RequestAuth> {
  const apikeyClaims = await resolveApiKey(request, signer);
  if (!apikeyClaims.ok) return apikeyClaims;

  const authorization = headerValue(request, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!bearer) return apikeyClaims;
  return claimsOf(bearer, signer);
}

/**
 * The gateway's half alone: the `apikey` (header or query parameter) must be present and valid.
 * GoTrue checks the bearer itself, and only on the endpoints that need one.
 */
export async function resolveApiKey(request: HttpRequest, signer: JwtSigner): Promise<RequestAuth> {
  const apikey = headerValue(request, 'apikey') ?? request.url.searchParams.get('apikey') ?? undefined;
  if (!apikey) return { ok: false, failure: { kind: 'no-apikey', message: 'No API key found in request' } };
  const apikeyClaims = await claimsOf(apikey, signer);
  if (!apikeyClaims.ok) return { ok: false, failure: { kind: 'invalid-apikey', message: 'Invalid API key' } };
  return apikeyClaims;
}

/** The claims a bearer token or API key stands for: an opaque key maps to its role, a JWT must verify and name a database role. */
export async function claimsOf(token: string, signer: JwtSigner): Promise<RequestAuth> {
  const opaqueRole = OPAQUE_KEYS.get(token);
  if (opaqueRole) return { ok: true, claims: { role: opaqueRole } };
  try {
    const payload = await signer.verify(token);
    if (!isDatabaseRole(payload.role)) {
      return { ok: false, failure: { kind: 'jwt-invalid', message: `JWT role is not allowed: ${String(payload.role)}` } };
    }
    return { ok: true, claims: { ...payload, role: payload.role } };
  } catch (error) {
    if (error instanceof JwtError && error.reason === 'expired') {
      return { ok: false, failure: { kind: 'jwt-expired', message: error.message } };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { kind: 'jwt-invalid', message } };
  }
}
