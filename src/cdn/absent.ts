/**
 * What the script-tag file has instead of supabase-js's Storage and Functions clients, which
 * the kit never uses (about 9 kB gzip of dist/flock.js). build/absent-modules.ts puts it in place
 * of `@supabase/storage-js` and `@supabase/functions-js` in the `cdn` build only; the npm
 * entries keep the real ones. A page that calls `supabase.storage` or `supabase.functions` on a
 * client made by flock.js's `createClient` gets this error rather than a silent no-op.
 */
export function absent(what: string): never {
  throw new Error(`${what} is not in flock.js, the script-tag build of Flock, which carries only supabase-js's auth, REST and Realtime parts: load @supabase/supabase-js itself and pass its client to <flock-room> as \`client\``);
}

/** Any use of the client (a method, a property) throws `absent`; making one does not, as SupabaseClient makes one eagerly. */
export function absentClient(what: string): object {
  return new Proxy({}, { get: (_target, key) => (key === 'then' || typeof key === 'symbol' ? undefined : absent(what)) });
}

export class StorageClient {
  constructor() {
    return absentClient('Supabase Storage (supabase.storage)');
  }
}

export class FunctionsClient {
  constructor() {
    return absentClient('Supabase Edge Functions (supabase.functions)');
  }
}

// The names supabase-js re-exports from the two packages, so its module graph links.
export class StorageApiError extends Error {}
export class FunctionsError extends Error {}
export class FunctionsFetchError extends FunctionsError {}
export class FunctionsHttpError extends FunctionsError {}
export class FunctionsRelayError extends FunctionsError {}
export const FunctionRegion = Object.freeze({ Any: 'any' });
