import { createHash } from 'node:crypto';
import type { Transaction } from '../db.ts';
import { isJsonObject, type JsonObject } from './params.ts';

/** A row of `auth.users`, as this server reads it. */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: JsonObject;
  raw_user_meta_data: JsonObject;
  created_at: Date;
  updated_at: Date;
  is_anonymous: boolean;
}

/** One sign-in method of a user, as GoTrue lists them in `user.identities`. */
export interface IdentityJson {
  identity_id: string;
  id: string;
  user_id: string;
  identity_data: JsonObject;
  provider: string;
  last_sign_in_at?: string;
  created_at: string;
  updated_at: string;
  email: string;
}

/** A user as GoTrue serialises `models.User` (empty timestamps left out, null email/phone as ""). */
export interface UserJson {
  id: string;
  aud: string;
  role: string;
  email: string;
  email_confirmed_at?: string;
  phone: string;
  phone_confirmed_at?: string;
  confirmed_at?: string;
  last_sign_in_at?: string;
  app_metadata: JsonObject;
  user_metadata: JsonObject;
  identities: IdentityJson[];
  created_at: string;
  updated_at: string;
  is_anonymous: boolean;
}

const COLUMNS = `id, aud, role, email, encrypted_password, email_confirmed_at, phone, phone_confirmed_at,
  last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous`;

/** The role and audience every user gets (GoTrue's `JWT_DEFAULT_GROUP_NAME` and `JWT_AUD`). */
export const USER_ROLE = 'authenticated';

export async function findUserById(tx: Transaction, id: string): Promise<UserRow | undefined> {
  const { rows } = await tx.query<UserRow>(`select ${COLUMNS} from auth.users where id = $1::uuid`, [id]);
  return rows[0];
}

/** Finds by email, case-insensitively (`email` must already be lower-cased). */
export async function findUserByEmail(tx: Transaction, email: string): Promise<UserRow | undefined> {
  const { rows } = await tx.query<UserRow>(`select ${COLUMNS} from auth.users where lower(email) = $1`, [email]);
  return rows[0];
}

export interface NewUser {
  /** A chosen id (admin API); otherwise a random one. */
  id?: string;
  email: string | null;
  encryptedPassword: string | null;
  emailConfirmed: boolean;
  appMetadata: JsonObject;
  userMetadata: JsonObject;
  isAnonymous: boolean;
}

export async function insertUser(tx: Transaction, user: NewUser): Promise<UserRow> {
  const { rows } = await tx.query<UserRow>(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                             raw_app_meta_data, raw_user_meta_data, is_anonymous)
     values ('00000000-0000-0000-0000-000000000000', coalesce($1::uuid, gen_random_uuid()), $2, $2, $3, $4,
             case when $5::boolean then now() end, $6::jsonb, $7::jsonb, $8)
     returning ${COLUMNS}`,
    [
      user.id ?? null,
      USER_ROLE,
      user.email,
      user.encryptedPassword,
      user.emailConfirmed,
      JSON.stringify(user.appMetadata),
      JSON.stringify(user.userMetadata),
      user.isAnonymous,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error('insert into auth.users returned no row');
  return row;
}

/** Writes the fields a user or an admin can change, and bumps `updated_at`. */
export async function saveUser(tx: Transaction, user: UserRow): Promise<UserRow> {
  const { rows } = await tx.query<UserRow>(
    `update auth.users
        set email = $2, encrypted_password = $3, email_confirmed_at = $4, raw_app_meta_data = $5::jsonb,
            raw_user_meta_data = $6::jsonb, is_anonymous = $7, updated_at = now()
      where id = $1::uuid
     returning ${COLUMNS}`,
    [
      user.id,
      user.email,
      user.encrypted_password,
      user.email_confirmed_at,
      JSON.stringify(user.raw_app_meta_data),
      JSON.stringify(user.raw_user_meta_data),
      user.is_anonymous,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error(`user ${user.id} vanished while being saved`);
  return row;
}

export async function touchLastSignIn(tx: Transaction, id: string): Promise<void> {
  await tx.query('update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1::uuid', [id]);
}

/** Deletes the user; their sessions and refresh tokens go with them (foreign keys cascade). */
export async function deleteUser(tx: Transaction, id: string): Promise<void> {
  await tx.query('delete from auth.users where id = $1::uuid', [id]);
}

export async function listUsers(
  tx: Transaction,
  page: number,
  perPage: number,
): Promise<{ users: UserRow[]; total: number }> {
  const { rows } = await tx.query<UserRow>(
    `select ${COLUMNS} from auth.users order by created_at desc, id limit $1 offset $2`,
    [perPage, (page - 1) * perPage],
  );
  const count = await tx.query<{ total: number }>('select count(*)::int as total from auth.users');
  return { users: rows, total: count.rows[0]?.total ?? 0 };
}

/** GoTrue's metadata update: keys are merged in, and a key set to null is removed. */
export function mergeMetadata(current: JsonObject, updates: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The sign-in methods recorded in `app_metadata.providers`. */
export function providersOf(user: Pick<UserRow, 'raw_app_meta_data'>): string[] {
  const providers = user.raw_app_meta_data.providers;
  return Array.isArray(providers) ? providers.filter((p): p is string => typeof p === 'string') : [];
}

/** Adds a provider to `app_metadata`, as GoTrue's `UpdateAppMetaDataProviders` leaves it. */
export function withProvider(appMetadata: JsonObject, provider: string): JsonObject {
  const providers = providersOf({ raw_app_meta_data: appMetadata });
  const next = providers.includes(provider) ? providers : [...providers, provider];
  return { ...appMetadata, provider: typeof appMetadata.provider === 'string' ? appMetadata.provider : provider, providers: next };
}

/** A stable id for the email identity, derived from the user id (this server keeps no identities table). */
function identityId(userId: string, provider: string): string {
  const hex = createHash('sha1').update(`${userId}:${provider}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function emailIdentity(user: UserRow, email: string): IdentityJson {
  const since = user.email_confirmed_at ?? user.created_at;
  return {
    identity_id: identityId(user.id, 'email'),
    id: user.id,
    user_id: user.id,
    identity_data: { email, email_verified: user.email_confirmed_at !== null, phone_verified: false, sub: user.id },
    provider: 'email',
    ...present('last_sign_in_at', user.last_sign_in_at),
    created_at: since.toISOString(),
    updated_at: since.toISOString(),
    email,
  };
}

function leastDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/** `{ [key]: ISO time }` when the time is set, `{}` otherwise: GoTrue's `omitempty`. */
function present<K extends string>(key: K, date: Date | null): Partial<Record<K, string>> {
  return (date ? { [key]: date.toISOString() } : {}) as Partial<Record<K, string>>;
}

/** The user as GoTrue answers it on `/user`, in sessions and on the admin API. */
export function userJson(user: UserRow): UserJson {
  return {
    id: user.id,
    aud: user.aud ?? USER_ROLE,
    role: user.role ?? USER_ROLE,
    email: user.email ?? '',
    ...present('email_confirmed_at', user.email_confirmed_at),
    phone: user.phone ?? '',
    ...present('phone_confirmed_at', user.phone_confirmed_at),
    ...present('confirmed_at', leastDate(user.email_confirmed_at, user.phone_confirmed_at)),
    ...present('last_sign_in_at', user.last_sign_in_at),
    app_metadata: isJsonObject(user.raw_app_meta_data) ? user.raw_app_meta_data : {},
    user_metadata: isJsonObject(user.raw_user_meta_data) ? user.raw_user_meta_data : {},
    identities: user.email ? [emailIdentity(user, user.email)] : [],
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    is_anonymous: user.is_anonymous,
  };
}
