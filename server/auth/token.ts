import type { ServerContext } from '../context.ts';
import type { HttpReply, HttpRequest } from '../http/types.ts';
import { badRequest, OAuthError, unprocessable } from './errors.ts';
import { readParams, stringField } from './params.ts';
import { checkPasswordStrength, verifyPassword } from './passwords.ts';
import { refreshSession, startSession } from './sessions.ts';
import { findUserByEmail, findUserById } from './users.ts';

const INVALID_LOGIN = 'Invalid login credentials';

/** `POST /token?grant_type=password|refresh_token`; other grants are refused as GoTrue refuses unknown ones. */
export async function token(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const grantType = request.url.searchParams.get('grant_type');
  if (grantType === 'password') {
    ctx.authRateLimiter.check('signIn', request.ip);
    return passwordGrant(request, ctx);
  }
  if (grantType === 'refresh_token') {
    ctx.authRateLimiter.check('tokenRefresh', request.ip);
    return refreshTokenGrant(request, ctx);
  }
  throw badRequest('invalid_credentials', 'unsupported_grant_type');
}

/** GoTrue's `ResourceOwnerPasswordGrant`, for email and password. */
async function passwordGrant(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const params = readParams(request);
  const email = stringField(params, 'email');
  const phone = stringField(params, 'phone');
  const password = stringField(params, 'password');
  if (email !== '' && phone !== '') {
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
  }
  if (phone !== '') throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
  if (email === '') throw badRequest('validation_failed', 'missing email or phone');

  const found = await ctx.db.asOwner((tx) => findUserByEmail(tx, email.toLowerCase()));
  // Checked outside the transaction: hashing takes tens of milliseconds and the database is one connection.
  const valid = await verifyPassword(password, found?.encrypted_password);
  if (!found || !valid) throw badRequest('invalid_credentials', INVALID_LOGIN);
  if (!found.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');

  const session = await ctx.db.asOwner(async (tx) => {
    if (!(await findUserById(tx, found.id))) throw badRequest('invalid_credentials', INVALID_LOGIN);
    return startSession(tx, ctx, found.id, 'password');
  });
  // A correct password that no longer meets the rules (e.g. set through the admin API) is reported, not refused.
  const weak = checkPasswordStrength(password);
  const weakPassword = weak?.code === 'weak_password' ? { weak_password: { message: weak.message, reasons: ['length'] } } : {};
  return { status: 200, json: { ...session, ...weakPassword } };
}

/** GoTrue's `RefreshTokenGrant`, with rotation and the reuse interval (see `refreshSession`). */
async function refreshTokenGrant(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const refreshToken = stringField(readParams(request), 'refresh_token');
  if (refreshToken === '') throw new OAuthError('invalid_request', 'refresh_token required');
  const outcome = await ctx.db.asOwner((tx) => refreshSession(tx, ctx, refreshToken));
  if (!outcome.ok) throw outcome.error;
  return { status: 200, json: outcome.session };
}
