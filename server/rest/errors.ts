import type { AuthFailure } from '../auth/request-auth.ts';
import type { HttpReply } from '../http/types.ts';

/**
 * Errors worded as PostgREST words them (src/PostgREST/Error.hs): the same codes, messages,
 * details, hints and statuses, so code written against Supabase branches the same way here.
 */

export interface RestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export class RestError extends Error {
  override name = 'RestError';
  constructor(
    readonly status: number,
    readonly body: RestErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

function restError(status: number, code: string, message: string, details: string | null = null, hint: string | null = null) {
  return new RestError(status, { code, message, details, hint });
}

export function errorReply(error: RestError): HttpReply {
  return { status: error.status, json: error.body, headers: error.headers };
}

export const errors = {
  /** PGRST100: a query parameter did not parse; `column` is 1-based, as Parsec reports it. */
  parse: (what: string, input: string, column: number, details: string) =>
    restError(400, 'PGRST100', `"failed to parse ${what} (${input})" (line 1, column ${column})`, details),
  invalidBody: (message: string, details: string | null = null) => restError(400, 'PGRST102', message, details),
  invalidRange: (details: string) => restError(416, 'PGRST103', 'Requested range not satisfiable', details),
  unacceptableSchema: (schema: string) =>
    restError(406, 'PGRST106', `Invalid schema: ${schema}`, null, 'Only the following schemas are exposed: public'),
  mediaType: (accepted: string) => restError(406, 'PGRST107', `None of these media types are available: ${accepted}`),
  notEmbedded: (resource: string) =>
    restError(
      400,
      'PGRST108',
      `'${resource}' is not an embedded resource in this request`,
      null,
      `Verify that '${resource}' is included in the 'select' query parameter.`,
    ),
  singularity: (rows: number) =>
    restError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`),
  unsupportedMethod: (method: string) => restError(405, 'PGRST117', `Unsupported HTTP method: ${method}`),
  invalidPreferences: (prefs: string[]) =>
    restError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.join(', ')}`),
  maxAffected: (rows: number) =>
    restError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${rows} rows`),
  notImplemented: (details: string) => restError(400, 'PGRST127', 'Feature not implemented', details),
  invalidPath: () => restError(404, 'PGRST125', 'Invalid path specified in request URL'),
  noRelationship: (table: string, relation: string) =>
    restError(
      400,
      'PGRST200',
      `Could not find a relationship between '${table}' and '${relation}' in the schema cache`,
      `Searched for a foreign key relationship between '${table}' and '${relation}' in the schema 'public', but no matches were found.`,
      'The Flock local server does not embed resources: select columns of one table per request.',
    ),
  noFunction: (name: string) =>
    restError(
      404,
      'PGRST202',
      `Could not find the function public.${name} without parameters in the schema cache`,
      `Searched for the function public.${name} without parameters, but no matches were found in the schema cache.`,
      'The Flock local server does not serve RPC calls.',
    ),
  /** PGRST204: a request body or `columns=` names a column the table does not have. */
  bodyColumnNotFound: (table: string, column: string) =>
    restError(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`),
  tableNotFound: (table: string, suggestion?: string) =>
    restError(
      404,
      'PGRST205',
      `Could not find the table 'public.${table}' in the schema cache`,
      null,
      suggestion === undefined ? null : `Perhaps you meant the table 'public.${suggestion}'`,
    ),
  /** 42703 as Postgres words it, for a column named in select, filters, order or on_conflict. */
  /** 2201B, Postgres's code for a regular expression it cannot use, for one the local server refuses to run (patterns.ts). */
  slowPattern: (message: string, details: string) => restError(400, '2201B', message, details),
  undefinedColumn: (table: string, column: string) => restError(400, '42703', `column ${table}.${column} does not exist`),
  /** What Supabase's pg-safeupdate answers to an UPDATE or DELETE without filters. */
  safeUpdate: (verb: 'UPDATE' | 'DELETE') => restError(400, '21000', `${verb} requires a WHERE clause`),
  jwtExpired: () => jwtError('PGRST303', 'JWT expired'),
  jwtInvalid: (message: string, details: string | null) => jwtError('PGRST301', message, details),
};

function jwtError(code: string, message: string, details: string | null = null): RestError {
  const error = restError(401, code, message, details);
  error.headers['WWW-Authenticate'] = `Bearer error="invalid_token", error_description=${JSON.stringify(message)}`;
  return error;
}

const STATUS_BY_SQLSTATE: Readonly<Record<string, number>> = {
  '23503': 409, '23505': 409, '25006': 405, '53400': 500, '57P01': 503, P0001: 400, '42P01': 404, '42P17': 500,
};
const STATUS_BY_CLASS: Readonly<Record<string, number>> = {
  '08': 503, '09': 500, '0L': 403, '0P': 403, '25': 500, '28': 403, '2D': 500, '38': 500, '39': 500,
  '3B': 500, '40': 500, '53': 503, '54': 500, '55': 500, '57': 500, '58': 500, F0: 500, HV: 500, P0: 500, XX: 500,
};

/** The HTTP status PostgREST gives a Postgres SQLSTATE (`mapSQLtoHTTP`); `authed` is "not the anon role". */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  const fixed = STATUS_BY_SQLSTATE[code];
  if (fixed !== undefined) return fixed;
  if (code === '42501') return authed ? 403 : 401;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404;
  if (code.startsWith('PT')) {
    const status = Number(code.slice(2));
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
  }
  return STATUS_BY_CLASS[code.slice(0, 2)] ?? 400;
}

interface PgErrorLike {
  code: string;
  message: string;
  detail?: unknown;
  hint?: unknown;
}

function isPgError(error: unknown): error is PgErrorLike {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as Record<string, unknown>;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof message === 'string';
}

/** Turns an error thrown by the database into PostgREST's answer; other errors are left to the caller. */
export function fromDatabaseError(error: unknown, authed: boolean): RestError | undefined {
  if (!isPgError(error)) return undefined;
  const status = statusForSqlState(error.code, error.message, authed);
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const result = restError(status, error.code, error.message, text(error.detail), text(error.hint));
  if (status === 401) result.headers['WWW-Authenticate'] = 'Bearer';
  return result;
}

/** The answer to refused credentials: the gateway's `{message, hint}` for API keys, PostgREST's PGRST30x for JWTs. */
export function authFailureReply(failure: AuthFailure, authorization: string | undefined): HttpReply {
  switch (failure.kind) {
    case 'no-apikey':
      return { status: 401, json: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' } };
    case 'invalid-apikey':
      return { status: 401, json: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } };
    case 'jwt-expired':
      return errorReply(errors.jwtExpired());
    case 'jwt-invalid': {
      const token = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? '';
      const parts = token.split('.').length;
      // A well-formed token with a role this server has no database role for is not a crypto failure; say which.
      const message =
        parts !== 3 ? `Expected 3 parts in JWT; got ${parts}` : /\brole\b/i.test(failure.message) ? failure.message : 'JWT cryptographic operation failed';
      return errorReply(errors.jwtInvalid(message, failure.message));
    }
  }
}
