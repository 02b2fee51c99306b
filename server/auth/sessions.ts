import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerContext } from '../context.ts';
import type { Transaction } from '../db.ts';
import { AuthApiError, badRequest } from './errors.ts';
import { isUuid } from './params.ts';
import { findUserById, touchLastSignIn, userJson, USER_ROLE, type UserJson, type UserRow } from './users.ts';

/** How a session was started; becomes the access token's `amr`. */
export type AuthMethod = 'password' | 'anonymous';

/** What GoTrue answers a sign-in or a refresh with (`AccessTokenResponse`). */
export interface SessionJson {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: UserJson;
}

/** Starts a session: a sessions row, how it was authenticated, and its first refresh token. */
export async function startSession(
  tx: Transaction,
  ctx: ServerContext,
  userId: string,
  method: AuthMethod,
): Promise<SessionJson> {
  const sessionId = randomUUID();
  await tx.query(`insert into auth.sessions (id, user_id, aal) values ($1, $2, 'aal1')`, [sessionId, userId]);
  await tx.query('insert into auth.mfa_amr_claims (id, session_id, authentication_method) values ($1, $2, $3)', [
    randomUUID(),
    sessionId,
    method,
  ]);
  const refreshToken = await issueRefreshToken(tx, userId, sessionId, null);
  return sessionJson(tx, ctx, userId, sessionId, refreshToken);
}

export type RefreshOutcome = { ok: true; session: SessionJson } | { ok: false; error: AuthApiError };

interface TokenRow {
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: Date;
  /** Null when the token has no session, or its session is gone. */
  session_id: string | null;
  /** Set when the session was ended by a detected reuse: none of its tokens is exchanged again. */
  not_after: Date | null;
}

/**
 * Exchanges a refresh token for a new session answer, as GoTrue's `RefreshTokenGrant` does
 * with rotation on:
 * - a live token is revoked and replaced by a child;
 * - a revoked token whose child is the session's active token gets that same child back
 *   (the client lost the previous answer), at any time;
 * - any other revoked token still gets a new child within the reuse interval (two tabs
 *   refreshing at once); after it, it is refused, the whole session's tokens are revoked and the
 *   session is ended (`not_after`), so no token of the family, the just-revoked active one
 *   included, is exchanged again, even inside the reuse interval.
 * Failures that change state (the revocation) are returned, not thrown, so the caller commits.
 */
export async function refreshSession(tx: Transaction, ctx: ServerContext, refreshToken: string): Promise<RefreshOutcome> {
  const { rows } = await tx.query<TokenRow>(
    `select rt.token, rt.user_id, rt.revoked, rt.updated_at, s.id as session_id, s.not_after
       from auth.refresh_tokens rt left join auth.sessions s on s.id = rt.session_id
      where rt.token = $1`,
    [refreshToken],
  );
  const found = rows[0];
  const user = found && isUuid(found.user_id) ? await findUserById(tx, found.user_id) : undefined;
  if (!found || !user) {
    return { ok: false, error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
  }
  const sessionId = found.session_id;
  if (!sessionId) {
    await tx.query('delete from auth.refresh_tokens where token = $1', [found.token]);
    return { ok: false, error: badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found') };
  }

  if (found.not_after && found.not_after.getTime() <= Date.now()) {
    return { ok: false, error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
  }
  let issued: string;
  if (!found.revoked) {
    issued = await rotate(tx, found.token, user.id, sessionId);
  } else {
    const active = await activeToken(tx, sessionId);
    if (active && active.parent === found.token) {
      issued = active.token;
    } else if (Date.now() <= found.updated_at.getTime() + ctx.refreshTokenReuseSeconds * 1000) {
      issued = await rotate(tx, found.token, user.id, sessionId);
    } else {
      await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and not revoked', [
        sessionId,
      ]);
      await tx.query('update auth.sessions set not_after = now(), updated_at = now() where id = $1', [sessionId]);
      return { ok: false, error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
    }
  }
  return { ok: true, session: await sessionJson(tx, ctx, user.id, sessionId, issued) };
}

/** The session's newest unrevoked refresh token. */
async function activeToken(tx: Transaction, sessionId: string): Promise<{ token: string; parent: string | null } | undefined> {
  const { rows } = await tx.query<{ token: string; parent: string | null }>(
    'select token, parent from auth.refresh_tokens where session_id = $1 and not revoked order by id desc limit 1',
    [sessionId],
  );
  return rows[0];
}

/** Revokes `token` (stamping when, for the reuse interval) and issues its child. */
async function rotate(tx: Transaction, token: string, userId: string, sessionId: string): Promise<string> {
  await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where token = $1', [token]);
  return issueRefreshToken(tx, userId, sessionId, token);
}

/** A new refresh token: 128 random bits, base64url. Like GoTrue, counts as a sign-in. */
async function issueRefreshToken(tx: Transaction, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = randomBytes(16).toString('base64url');
  await tx.query('insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)', [
    token,
    userId,
    sessionId,
    parent,
  ]);
  await tx.query('update auth.sessions set updated_at = now() where id = $1', [sessionId]);
  await touchLastSignIn(tx, userId);
  return token;
}

async function sessionJson(
  tx: Transaction,
  ctx: ServerContext,
  userId: string,
  sessionId: string,
  refreshToken: string,
): Promise<SessionJson> {
  const user = await findUserById(tx, userId);
  if (!user) throw new Error(`user ${userId} vanished during sign-in`);
  const { rows: amr } = await tx.query<{ method: string; at: Date }>(
    'select authentication_method as method, updated_at as at from auth.mfa_amr_claims where session_id = $1 order by updated_at desc',
    [sessionId],
  );
  const { token, expiresAt } = await signAccessToken(ctx, user, sessionId, amr);
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: ctx.accessTokenSeconds,
    expires_at: expiresAt,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

/** The access token as GoTrue's `GenerateAccessToken` makes it, with the user's current metadata. */
async function signAccessToken(
  ctx: ServerContext,
  user: UserRow,
  sessionId: string,
  amr: readonly { method: string; at: Date }[],
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ctx.accessTokenSeconds;
  const token = await ctx.signer.sign({
    iss: `${ctx.baseUrl}/auth/v1`,
    sub: user.id,
    aud: user.aud ?? USER_ROLE,
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data,
    user_metadata: user.raw_user_meta_data,
    role: user.role ?? USER_ROLE,
    aal: 'aal1',
    amr: amr.map((claim) => ({ method: claim.method, timestamp: Math.floor(claim.at.getTime() / 1000) })),
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  });
  return { token, expiresAt: exp };
}

export async function sessionExists(tx: Transaction, sessionId: string): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>('select id from auth.sessions where id = $1::uuid', [sessionId]);
  return rows.length > 0;
}

/** Which sessions `POST /logout` ends: all of the user's, only this one, or all but this one. */
export type LogoutScope = 'global' | 'local' | 'others';

/** Ends sessions; their refresh tokens go with them (foreign key cascade). */
export async function endSessions(
  tx: Transaction,
  userId: string,
  sessionId: string | undefined,
  scope: LogoutScope,
): Promise<void> {
  if (sessionId && scope === 'local') {
    await tx.query('delete from auth.sessions where id = $1', [sessionId]);
  } else if (sessionId && scope === 'others') {
    await tx.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  } else {
    await tx.query('delete from auth.sessions where user_id = $1', [userId]);
  }
}
