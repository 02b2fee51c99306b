import type { ServerContext } from '../context.ts';
import type { HttpReply, HttpRequest } from '../http/types.ts';
import { requireUser } from './caller.ts';
import { badRequest, forbidden, unprocessable } from './errors.ts';
import { objectField, optionalStringField, readParams, stringField, validateEmail, type JsonObject } from './params.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords.ts';
import { endSessions, type LogoutScope } from './sessions.ts';
import { findUserByEmail, findUserById, mergeMetadata, saveUser, userJson, USER_ROLE, withProvider } from './users.ts';

/** `GET /user`: the caller's user, read fresh from the database. */
export async function getUser(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const { user, claims } = await requireUser(request, ctx);
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  if (aud !== USER_ROLE) throw badRequest('validation_failed', "Token audience doesn't match request audience");
  return { status: 200, json: userJson(user) };
}

interface UserUpdateParams {
  email: string;
  phone: string;
  /** Undefined when not sent (an empty one fails the strength check). */
  password: string | undefined;
  data: JsonObject | undefined;
  appMetadata: JsonObject | undefined;
}

function parseUserUpdate(request: HttpRequest): UserUpdateParams {
  const params = readParams(request);
  return {
    email: stringField(params, 'email'),
    phone: stringField(params, 'phone'),
    password: optionalStringField(params, 'password'),
    data: objectField(params, 'data'),
    appMetadata: objectField(params, 'app_metadata'),
  };
}

/**
 * `PUT /user` (GoTrue's `UserUpdate`): `data` is merged into `user_metadata` (a key set to
 * null is removed); a new password is checked, re-hashed, and ends the user's other sessions.
 * An email change applies at once, since no mail is sent locally (GoTrue would first mail a
 * confirmation link to a permanent user); for an anonymous user that is GoTrue's own
 * behaviour with autoconfirm, and the user becomes permanent.
 */
export async function updateUser(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const { user, sessionId } = await requireUser(request, ctx);
  const params = parseUserUpdate(request);
  const email = params.email === '' ? '' : validateEmail(params.email);
  if (params.phone !== '') throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
  if (params.password !== undefined) {
    const weak = checkPasswordStrength(params.password);
    if (weak) throw weak;
  }
  if (params.appMetadata) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
  if (user.is_anonymous && params.password && email === '') {
    throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
  }
  // Hashing happens outside the transaction: it takes tens of milliseconds and the database is one connection.
  const newPassword = params.password;
  if (newPassword !== undefined && user.encrypted_password && (await verifyPassword(newPassword, user.encrypted_password))) {
    throw unprocessable('same_password', 'New password should be different from the old password.');
  }
  const encryptedPassword = newPassword === undefined ? undefined : await hashPassword(newPassword);

  const saved = await ctx.db.asOwner(async (tx) => {
    const current = await findUserById(tx, user.id);
    if (!current) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
    const next = { ...current };
    if (encryptedPassword !== undefined) {
      next.encrypted_password = encryptedPassword;
      // As GoTrue's `UpdatePassword`: every other session must sign in again with the new password.
      await endSessions(tx, current.id, sessionId, 'others');
    }
    if (params.data) next.raw_user_meta_data = mergeMetadata(current.raw_user_meta_data, params.data);
    if (email !== '' && email !== current.email) {
      const owner = await findUserByEmail(tx, email);
      if (owner && owner.id !== current.id) {
        throw unprocessable('email_exists', 'A user with this email address has already been registered');
      }
      next.email = email;
      next.email_confirmed_at = new Date();
      next.is_anonymous = false;
      next.raw_app_meta_data = withProvider(current.raw_app_meta_data, 'email');
    }
    return saveUser(tx, next);
  });
  return { status: 200, json: userJson(saved) };
}

const LOGOUT_SCOPES: readonly string[] = ['global', 'local', 'others'] satisfies LogoutScope[];

function isLogoutScope(value: string): value is LogoutScope {
  return LOGOUT_SCOPES.includes(value);
}

/** `POST /logout?scope=global|local|others` (default global): ends sessions, 204. */
export async function logout(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const { user, sessionId } = await requireUser(request, ctx);
  const scope = request.url.searchParams.get('scope') || 'global';
  if (!isLogoutScope(scope)) throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
  await ctx.db.asOwner((tx) => endSessions(tx, user.id, sessionId, scope));
  return { status: 204 };
}
