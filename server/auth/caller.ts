import type { ServerContext } from '../context.ts';
import { headerValue, type HttpReply, type HttpRequest } from '../http/types.ts';
import { AuthApiError, forbidden, gatewayReply, badRequest } from './errors.ts';
import { JwtError, type JwtPayload } from './jwt.ts';
import { OPAQUE_KEYS } from './keys.ts';
import { isUuid } from './params.ts';
import { resolveApiKey } from './request-auth.ts';
import { sessionExists } from './sessions.ts';
import { findUserById, type UserRow } from './users.ts';

/** The gateway's check in front of every auth endpoint: a valid `apikey`, else Kong's 401. */
export async function checkApiKey(request: HttpRequest, ctx: ServerContext): Promise<HttpReply | undefined> {
  const result = await resolveApiKey(request, ctx.signer);
  return result.ok ? undefined : gatewayReply(result.failure.message);
}

/** The bearer token (GoTrue's `extractBearerToken`), else 401 `no_authorization`. */
function bearerToken(request: HttpRequest): string {
  const token = headerValue(request, 'authorization')?.match(/^[Bb]earer (\S+)$/)?.[1];
  if (!token) throw new AuthApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  return token;
}

/**
 * Verifies the bearer as GoTrue's `parseJWTClaims` does (HS256 with the project secret; a bad
 * signature, `alg: none` or an expired token is 403 `bad_jwt`). An opaque secret or publishable
 * key stands for its role, as the gateway swaps it for a JWT of that role before GoTrue sees it.
 */
async function verifyBearer(ctx: ServerContext, token: string): Promise<JwtPayload> {
  const opaqueRole = OPAQUE_KEYS.get(token);
  if (opaqueRole) return { role: opaqueRole };
  try {
    return await ctx.signer.verify(token);
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    const detail = error.reason === 'expired' ? 'token has invalid claims: token is expired' : error.message.replace(/^invalid JWT: /, '');
    throw forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${detail}`);
  }
}

/** A signed-in caller: their user row, the session their token belongs to, and its claims. */
export interface Caller {
  user: UserRow;
  /** Undefined for a token without a `session_id` claim. */
  sessionId: string | undefined;
  claims: JwtPayload;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** GoTrue's `maybeLoadUserOrSession`: the `sub` must be an existing user, the `session_id` a live session. */
async function loadCaller(ctx: ServerContext, claims: JwtPayload): Promise<Caller> {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!isUuid(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  const sessionClaim = claims.session_id;
  const sessionId = typeof sessionClaim === 'string' && sessionClaim !== '' && sessionClaim !== NIL_UUID ? sessionClaim : undefined;
  if (sessionId !== undefined && !isUuid(sessionId)) {
    throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
  }
  const { user, live } = await ctx.db.asOwner(async (tx) => ({
    user: await findUserById(tx, sub),
    live: sessionId === undefined || (await sessionExists(tx, sessionId)),
  }));
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  if (!live) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  return { user, sessionId, claims };
}

/** GoTrue's `requireAuthentication`: a valid bearer access token of an existing user and session. */
export async function requireUser(request: HttpRequest, ctx: ServerContext): Promise<Caller> {
  const claims = await verifyBearer(ctx, bearerToken(request));
  return loadCaller(ctx, claims);
}

/** Roles GoTrue accepts on the admin API (`GOTRUE_JWT_ADMIN_ROLES`). */
const ADMIN_ROLES: readonly unknown[] = ['service_role', 'supabase_admin'];

/** GoTrue's `requireAdminCredentials`: a bearer whose role is an admin role, else 403 `not_admin`. */
export async function requireAdmin(request: HttpRequest, ctx: ServerContext): Promise<void> {
  const claims = await verifyBearer(ctx, bearerToken(request));
  if (typeof claims.session_id === 'string' && claims.session_id !== '' && claims.session_id !== NIL_UUID) {
    await loadCaller(ctx, claims);
  }
  if (!ADMIN_ROLES.includes(claims.role)) throw forbidden('not_admin', 'User not allowed');
}
