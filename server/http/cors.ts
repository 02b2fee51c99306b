import type { IncomingMessage } from 'node:http';

/**
 * CORS as the Supabase gateway answers it: any origin, the headers supabase-js sends,
 * and the response headers it reads (`Content-Range` for counts, the API version for auth errors).
 */
export function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  const requested = request.headers['access-control-request-headers'];
  return {
    'Access-Control-Allow-Origin': typeof origin === 'string' ? origin : '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers':
      typeof requested === 'string'
        ? requested
        : 'authorization, apikey, content-type, prefer, accept, accept-profile, content-profile, range, range-unit, x-client-info, x-supabase-api-version',
    'Access-Control-Expose-Headers': 'Content-Range, Content-Location, Location, Preference-Applied, X-Supabase-Api-Version',
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  };
}
