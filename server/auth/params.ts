import { BodyParseError, parseJsonBody, type HttpRequest } from '../http/types.ts';
import { badRequest, type AuthApiError } from './errors.ts';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badJson(detail: string): AuthApiError {
  return badRequest('bad_json', `Could not parse request body as JSON: ${detail}`);
}

/**
 * The body as a JSON object, as GoTrue's `retrieveRequestParams` reads it: an empty or
 * malformed body, or one that is not an object, is a 400 `bad_json`; `null` is `{}`.
 */
export function readParams(request: HttpRequest): JsonObject {
  let body: unknown;
  try {
    body = parseJsonBody(request);
  } catch (error) {
    if (error instanceof BodyParseError) throw badJson(error.message);
    throw error;
  }
  if (body === undefined) throw badJson('unexpected end of JSON input');
  if (body === null) return {};
  if (!isJsonObject(body)) throw badJson(`cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into an object`);
  return body;
}

/** A string field; absent or null is `''` (Go's zero value), any other type is `bad_json`. */
export function stringField(params: JsonObject, name: string): string {
  return optionalStringField(params, name) ?? '';
}

/** A string field where absent/null and `''` differ (GoTrue's `*string`). */
export function optionalStringField(params: JsonObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badJson(`cannot unmarshal ${typeof value} into field "${name}" of type string`);
  return value;
}

/** An object field such as `data` or `user_metadata`; absent or null is undefined. */
export function objectField(params: JsonObject, name: string): JsonObject | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw badJson(`cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into field "${name}" of type object`);
  return value;
}

export function booleanField(params: JsonObject, name: string): boolean {
  const value = params[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw badJson(`cannot unmarshal ${typeof value} into field "${name}" of type bool`);
  return value;
}

/** The same pattern GoTrue's email check (`checkmail.ValidateFormat`) applies. */
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's `validateEmail`: required, at most 255 characters, well formed; returns it lower-cased. */
export function validateEmail(email: string): string {
  if (email === '') throw badRequest('validation_failed', 'An email address is required');
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL_PATTERN.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** True for a canonical UUID string (the form Postgres prints). */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
