import type { HttpReply } from '../http/types.ts';

/** The error codes this server answers with, each as GoTrue names it (`internal/api/apierrors/errorcode.go`). */
export type ErrorCode =
  | 'bad_json'
  | 'validation_failed'
  | 'user_already_exists'
  | 'email_exists'
  | 'weak_password'
  | 'same_password'
  | 'invalid_credentials'
  | 'email_not_confirmed'
  | 'phone_provider_disabled'
  | 'refresh_token_not_found'
  | 'refresh_token_already_used'
  | 'over_request_rate_limit'
  | 'session_not_found'
  | 'user_not_found'
  | 'bad_jwt'
  | 'no_authorization'
  | 'not_admin'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_entity_too_large'
  | 'unexpected_failure'
  | 'unknown';

/** An error GoTrue would answer with `HTTPError`: a status, a code and a message. */
export class AuthApiError extends Error {
  override name = 'AuthApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra top-level fields, e.g. `weak_password: { reasons }`. */
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Extra response headers, e.g. `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** An error GoTrue answers in the OAuth2 shape (`{ error, error_description }`), always 400. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export const badRequest = (code: ErrorCode, message: string) => new AuthApiError(400, code, message);
export const forbidden = (code: ErrorCode, message: string) => new AuthApiError(403, code, message);
export const unprocessable = (code: ErrorCode, message: string) => new AuthApiError(422, code, message);

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';

/**
 * The API version a request asked for, as GoTrue decides it: a `X-Supabase-Api-Version`
 * date on or after 2024-01-01 selects the 2024-01-01 error shape; none (or a malformed
 * one) the initial shape. auth-js always sends `2024-01-01`.
 */
export type ApiVersion = 'initial' | '2024-01-01';

export function apiVersionOf(headerValue: string | undefined): ApiVersion {
  if (!headerValue || !/^\d{4}-\d{2}-\d{2}$/.test(headerValue)) return 'initial';
  const date = Date.parse(`${headerValue}T00:00:00Z`);
  return Number.isFinite(date) && date >= Date.parse('2024-01-01T00:00:00Z') ? '2024-01-01' : 'initial';
}

/** Headers every answer to a request of `version` carries. */
export function versionHeaders(version: ApiVersion): Record<string, string> {
  return version === '2024-01-01' ? { [API_VERSION_HEADER]: '2024-01-01' } : {};
}

/**
 * Words an error as GoTrue's `HandleResponseError` does: `{ code, message }` for 2024-01-01
 * (auth-js then reads `code`), `{ code: status, error_code, msg }` for the initial version.
 */
export function errorReply(error: AuthApiError | OAuthError, version: ApiVersion): HttpReply {
  if (error instanceof OAuthError) {
    return { status: 400, headers: versionHeaders(version), json: { error: error.error, error_description: error.description } };
  }
  const headers = { ...versionHeaders(version), ...error.headers, 'x-sb-error-code': error.code };
  const json =
    version === '2024-01-01'
      ? { code: error.code, message: error.message, ...error.extra }
      : { code: error.status, error_code: error.code, msg: error.message, ...error.extra };
  return { status: error.status, headers, json };
}

/** An error met outside a handler (body too large, unexpected failure), in the 2024-01-01 shape auth-js asks for. */
export function statusErrorReply(status: number, message: string): HttpReply {
  const code: ErrorCode = status === 413 ? 'request_entity_too_large' : status >= 500 ? 'unexpected_failure' : 'unknown';
  return errorReply(new AuthApiError(status, code, message), '2024-01-01');
}

/**
 * The gateway's (Kong's) answer to a missing or wrong `apikey`: it never reaches GoTrue,
 * so it has Kong's shape, not GoTrue's.
 */
export function gatewayReply(message: string): HttpReply {
  return { status: 401, json: { message } };
}
