import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AuthApiError, badRequest } from './errors.ts';

/** scrypt's cost parameters (Node's defaults: about 50 ms and 16 MiB per hash). */
const COST: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** GoTrue's limits: bcrypt's 72 bytes at most, `GOTRUE_PASSWORD_MIN_LENGTH` (6) at least. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 6;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, COST, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes for `auth.users.encrypted_password`, as `scrypt$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt);
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A hash nobody's password matches: checked against when there is no user, so timing does not tell. */
const DUMMY_HASH = `scrypt$${Buffer.alloc(SALT_BYTES).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;

/**
 * True if `password` matches `stored`. A missing or foreign hash (e.g. bcrypt from a real
 * project's dump) never matches, and still costs one scrypt run.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  const valid = parts.length === 3 && parts[0] === 'scrypt';
  const [, saltText, hashText] = valid ? parts : DUMMY_HASH.split('$');
  const expected = Buffer.from(hashText ?? '', 'base64url');
  const key = await derive(password, Buffer.from(saltText ?? '', 'base64url'));
  return valid && expected.length === key.length && timingSafeEqual(expected, key);
}

/** GoTrue's `checkPasswordStrength` with the default settings: a length rule only. */
export function checkPasswordStrength(password: string): AuthApiError | undefined {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES) {
    return badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
  if (bytes < MIN_PASSWORD_LENGTH) {
    return new AuthApiError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, {
      weak_password: { reasons: ['length'] },
    });
  }
  return undefined;
}
