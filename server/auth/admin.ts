import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../context.ts';
import type { HttpReply, HttpRequest } from '../http/types.ts';
import { requireAdmin } from './caller.ts';
import { AuthApiError, badRequest, unprocessable } from './errors.ts';
import {
  booleanField,
  isUuid,
  objectField,
  optionalStringField,
  readParams,
  stringField,
  validateEmail,
  type JsonObject,
} from './params.ts';
import { hashPassword, MAX_PASSWORD_BYTES } from './passwords.ts';
import { deleteUser, findUserByEmail, findUserById, insertUser, listUsers, userJson, type UserRow } from './users.ts';

interface AdminUserParams {
  id: string;
  email: string;
  password: string | undefined;
  emailConfirm: boolean;
  userMetadata: JsonObject;
  appMetadata: JsonObject | undefined;
}

function parseAdminUser(request: HttpRequest): AdminUserParams {
  const params = readParams(request);
  if (stringField(params, 'phone') !== '') throw badRequest('phone_provider_disabled', 'Phone users are not supported by the local server');
  if (stringField(params, 'password_hash') !== '') {
    throw badRequest('validation_failed', 'password_hash is not supported by the local server');
  }
  return {
    id: stringField(params, 'id'),
    email: stringField(params, 'email'),
    password: optionalStringField(params, 'password'),
    emailConfirm: booleanField(params, 'email_confirm'),
    userMetadata: objectField(params, 'user_metadata') ?? {},
    appMetadata: objectField(params, 'app_metadata'),
  };
}

/**
 * `POST /admin/users` (GoTrue's `adminUserCreate`): an email user, confirmed only if
 * `email_confirm` is set; without a password it gets a random one. No strength rule applies.
 */
export async function createUser(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  await requireAdmin(request, ctx);
  const params = parseAdminUser(request);
  if (params.email === '') throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  const email = validateEmail(params.email);
  if (params.id !== '' && !isUuid(params.id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
  const password = params.password || randomBytes(32).toString('base64url');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
  const encryptedPassword = await hashPassword(password);
  const user = await ctx.db.asOwner(async (tx) => {
    if (await findUserByEmail(tx, email)) {
      throw unprocessable('email_exists', 'A user with this email address has already been registered');
    }
    if (params.id !== '' && (await findUserById(tx, params.id))) {
      throw unprocessable('email_exists', 'A user with this ID has already been registered');
    }
    return insertUser(tx, {
      id: params.id === '' ? undefined : params.id,
      email,
      encryptedPassword,
      emailConfirmed: params.emailConfirm,
      appMetadata: { provider: 'email', providers: ['email'], ...params.appMetadata },
      userMetadata: params.userMetadata,
      isAnonymous: false,
    });
  });
  return { status: 200, json: userJson(user) };
}

/** `GET /admin/users?page=&per_page=`: newest first, with GoTrue's `X-Total-Count` and `Link` headers. */
export async function listAllUsers(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  await requireAdmin(request, ctx);
  const page = positiveInt(request.url.searchParams.get('page'), 1);
  const perPage = positiveInt(request.url.searchParams.get('per_page'), 50);
  const { users, total } = await ctx.db.asOwner((tx) => listUsers(tx, page, perPage));
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const link = (n: number, rel: string) => `</admin/users?page=${n}&per_page=${perPage}>; rel="${rel}"`;
  const links = [...(page < lastPage ? [link(page + 1, 'next')] : []), link(lastPage, 'last')];
  return {
    status: 200,
    headers: { 'X-Total-Count': String(total), Link: links.join(', ') },
    json: { users: users.map(userJson), aud: 'authenticated' },
  };
}

function positiveInt(text: string | null, fallback: number): number {
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw badRequest('validation_failed', `Bad Pagination Parameters: ${text}`);
  return value;
}

/** GoTrue's `loadUser`: the path's id must be a UUID of an existing user, else 404. */
async function loadUser(ctx: ServerContext, id: string): Promise<UserRow> {
  if (!isUuid(id)) throw new AuthApiError(404, 'validation_failed', 'user_id must be an UUID');
  const user = await ctx.db.asOwner((tx) => findUserById(tx, id));
  if (!user) throw new AuthApiError(404, 'user_not_found', 'User not found');
  return user;
}

/** `GET /admin/users/<id>`. */
export async function getUserById(request: HttpRequest, ctx: ServerContext, id: string): Promise<HttpReply> {
  await requireAdmin(request, ctx);
  return { status: 200, json: userJson(await loadUser(ctx, id)) };
}

/** `DELETE /admin/users/<id>`: removes the user, their sessions and (by cascade) their rows. Soft deletion is not offered. */
export async function deleteUserById(request: HttpRequest, ctx: ServerContext, id: string): Promise<HttpReply> {
  await requireAdmin(request, ctx);
  const user = await loadUser(ctx, id);
  if (request.body.length > 0 && booleanField(readParams(request), 'should_soft_delete')) {
    throw badRequest('validation_failed', 'Soft deletion is not supported by the local server');
  }
  await ctx.db.asOwner((tx) => deleteUser(tx, user.id));
  return { status: 200, json: {} };
}
