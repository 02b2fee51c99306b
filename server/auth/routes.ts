import type { ServerContext } from '../context.ts';
import type { Service } from '../http/service.ts';
import { headerValue, type HttpReply, type HttpRequest } from '../http/types.ts';
import { getUser, logout, updateUser } from './account.ts';
import { createUser, deleteUserById, getUserById, listAllUsers } from './admin.ts';
import { checkApiKey } from './caller.ts';
import {
  API_VERSION_HEADER,
  apiVersionOf,
  AuthApiError,
  errorReply,
  OAuthError,
  statusErrorReply,
  versionHeaders,
} from './errors.ts';
import { signup } from './signup.ts';
import { token } from './token.ts';

const PREFIX = '/auth/v1';

/** A handler gets the request, the context and the path's captured segments (e.g. a user id). */
type Handler = (request: HttpRequest, ctx: ServerContext, ...captures: string[]) => Promise<HttpReply>;

interface Route {
  /** Matched against the path below `/auth/v1`, without a trailing slash. */
  path: RegExp;
  methods: Readonly<Record<string, Handler>>;
}

/** `GET /settings`: what this GoTrue offers. Email and anonymous sign-ins, confirmed at once. */
const settings: Handler = async () => ({
  status: 200,
  json: {
    external: {
      anonymous_users: true,
      apple: false,
      azure: false,
      bitbucket: false,
      discord: false,
      facebook: false,
      snapchat: false,
      figma: false,
      fly: false,
      github: false,
      gitlab: false,
      google: false,
      keycloak: false,
      kakao: false,
      linkedin: false,
      linkedin_oidc: false,
      notion: false,
      spotify: false,
      slack: false,
      slack_oidc: false,
      workos: false,
      twitch: false,
      twitter: false,
      email: true,
      phone: false,
      zoom: false,
    },
    disable_signup: false,
    mailer_autoconfirm: true,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
    passkeys_enabled: false,
  },
});

const health: Handler = async (_request, ctx) => ({
  status: 200,
  json: { version: ctx.version, name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' },
});

const ROUTES: readonly Route[] = [
  { path: /^\/signup$/, methods: { POST: signup } },
  { path: /^\/token$/, methods: { POST: token } },
  { path: /^\/user$/, methods: { GET: getUser, PUT: updateUser } },
  { path: /^\/logout$/, methods: { POST: logout } },
  { path: /^\/settings$/, methods: { GET: settings } },
  { path: /^\/health$/, methods: { GET: health } },
  { path: /^\/admin\/users$/, methods: { GET: listAllUsers, POST: createUser } },
  { path: /^\/admin\/users\/([^/]+)$/, methods: { GET: getUserById, DELETE: deleteUserById } },
];

type Routed =
  | { kind: 'found'; handler: Handler; captures: string[] }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'not-found' };

function route(method: string, subpath: string): Routed {
  for (const candidate of ROUTES) {
    const match = candidate.path.exec(subpath);
    if (!match) continue;
    const handler = Object.hasOwn(candidate.methods, method) ? candidate.methods[method] : undefined;
    if (!handler) return { kind: 'wrong-method', allow: Object.keys(candidate.methods) };
    return { kind: 'found', handler, captures: match.slice(1) };
  }
  return { kind: 'not-found' };
}

async function dispatch(request: HttpRequest, ctx: ServerContext, subpath: string): Promise<HttpReply> {
  const routed = route(request.method, subpath);
  if (routed.kind === 'not-found') throw new AuthApiError(404, 'not_found', `No route for ${request.method} ${PREFIX}${subpath}`);
  if (routed.kind === 'wrong-method') {
    throw new AuthApiError(405, 'method_not_allowed', `Method ${request.method} not allowed`, {}, { Allow: routed.allow.join(', ') });
  }
  return routed.handler(request, ctx, ...routed.captures);
}

/**
 * `/auth/v1`: the GoTrue subset supabase-js auth uses: sign-up (anonymous or email), password
 * and refresh-token grants with rotating refresh tokens, the user, sign-out, settings, health,
 * and the admin users API. Every request first passes the gateway's `apikey` check.
 */
export const authService: Service = {
  prefix: PREFIX,
  async handle(request, ctx) {
    const refused = await checkApiKey(request, ctx);
    if (refused) return refused;
    const version = apiVersionOf(headerValue(request, API_VERSION_HEADER));
    try {
      const reply = await dispatch(request, ctx, request.url.pathname.slice(PREFIX.length).replace(/\/$/, ''));
      return { ...reply, headers: { ...versionHeaders(version), ...reply.headers } };
    } catch (error) {
      if (error instanceof AuthApiError || error instanceof OAuthError) return errorReply(error, version);
      throw error;
    }
  },
  error: statusErrorReply,
};
