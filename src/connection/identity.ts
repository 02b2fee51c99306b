import type { SupabaseClient, User } from '@supabase/supabase-js';
import { colorFor } from './palette.js';
import type { FlockUser, FlockUserInput } from './types.js';
import { WIRE_LIMITS, isSafeUrl } from './wire.js';

/**
 * Who this tab is, in order (shared/DESIGN.md §2):
 * 1. the client's auth session (the app's signed-in user, or an anonymous user from before);
 * 2. with a kit-created client, an anonymous sign-in carrying the page's name, colour and
 *    avatar as user metadata — when the project allows anonymous sign-ins;
 * 3. otherwise a visitor: a random id kept in localStorage, present in rooms but unable to
 *    write rows. An app's client is never signed in by the kit: its auth belongs to the app.
 *
 * Tabs share the session through the client's storage, so many tabs of one user are one user.
 */

const VISITOR_KEY = 'flock-visitor-id';
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export interface IdentityOptions {
  /** True for a kit-created client, which may sign in anonymously. */
  owned: boolean;
  profile: FlockUserInput;
}

export async function resolveIdentity(client: SupabaseClient, options: IdentityOptions): Promise<FlockUser> {
  let user = await sessionUser(client);
  if (!user && options.owned) user = await signInOnce(client, options.profile);
  return user ? fromAuthUser(user, options.profile) : visitor(options.profile);
}

/** True when two identities would render the same. */
export function sameUser(a: FlockUser, b: FlockUser | undefined): boolean {
  return !!b && a.id === b.id && a.name === b.name && a.color === b.color && a.avatar === b.avatar && a.kind === b.kind;
}

/** Stores the page's name, colour and avatar on the user (so other pages and devices show them). */
export async function saveProfile(client: SupabaseClient, profile: FlockUserInput): Promise<void> {
  const user = await sessionUser(client);
  if (!user) return;
  const wanted = metadataOf(profile);
  const current = user.user_metadata ?? {};
  if (Object.entries(wanted).every(([key, value]) => current[key] === value)) return;
  await client.auth.updateUser({ data: wanted });
}

async function sessionUser(client: SupabaseClient): Promise<User | undefined> {
  const { data } = await client.auth.getSession();
  return data.session?.user ?? undefined;
}

/**
 * Signs in anonymously unless another tab just did: under a lock shared by the tabs, the
 * session is looked for again first, so two tabs opened together become one user, not two.
 */
async function signInOnce(client: SupabaseClient, profile: FlockUserInput): Promise<User | undefined> {
  const signIn = async (): Promise<User | undefined> => {
    const existing = await sessionUser(client);
    if (existing) return existing;
    const { data, error } = await client.auth.signInAnonymously({ options: { data: metadataOf(profile) } });
    // Disabled anonymous sign-ins or no network: the caller falls back to a visitor.
    return error ? undefined : (data.user ?? undefined);
  };
  if (typeof navigator === 'undefined' || !navigator.locks) return signIn();
  return navigator.locks.request('flock-anonymous-sign-in', signIn);
}

function metadataOf(profile: FlockUserInput): Record<string, string> {
  const data: Record<string, string> = {};
  if (profile.name) data.name = cleanName(profile.name) ?? '';
  if (profile.color && HEX_COLOR.test(profile.color)) data.color = profile.color;
  if (profile.avatar && isSafeUrl(profile.avatar)) data.avatar_url = profile.avatar;
  return data;
}

function fromAuthUser(user: User, profile: FlockUserInput): FlockUser {
  const meta: Record<string, unknown> = user.user_metadata ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const emailName = user.email ? user.email.split('@')[0] : undefined;
  return describe(
    user.id,
    user.is_anonymous ? 'anonymous' : 'user',
    profile,
    cleanName(text(meta.name) ?? text(meta.full_name) ?? text(meta.user_name) ?? emailName),
    text(meta.color),
    text(meta.avatar_url) ?? text(meta.picture),
  );
}

function visitor(profile: FlockUserInput): FlockUser {
  return describe(visitorId(), 'visitor', profile);
}

function describe(
  id: string,
  kind: FlockUser['kind'],
  profile: FlockUserInput,
  storedName?: string,
  storedColor?: string,
  storedAvatar?: string,
): FlockUser {
  const pickColor = [profile.color, storedColor].find((c): c is string => !!c && HEX_COLOR.test(c));
  const avatar = [profile.avatar, storedAvatar].find((url) => isSafeUrl(url));
  return {
    id,
    kind,
    name: cleanName(profile.name) ?? storedName ?? guestName(id),
    color: pickColor ?? colorFor(id),
    ...(avatar ? { avatar } : {}),
  };
}

/** Trimmed and bounded as the wire allows, or undefined when nothing is left. */
function cleanName(name: string | undefined): string | undefined {
  const trimmed = name?.trim().slice(0, WIRE_LIMITS.name);
  return trimmed ? trimmed : undefined;
}

/** The name of someone who gave none: `Guest` and the first four hex digits of their id. */
export function guestName(id: string): string {
  return `Guest ${id.replace(/-/g, '').slice(0, 4).toUpperCase()}`;
}

let pageVisitorId: string | undefined;

function visitorId(): string {
  try {
    let id = localStorage.getItem(VISITOR_KEY);
    if (!id) {
      id = crypto.randomUUID();
      localStorage.setItem(VISITOR_KEY, id);
    }
    return id;
  } catch {
    // Storage blocked (sandboxed frame, strict privacy mode): one id for this page's life.
    pageVisitorId ??= crypto.randomUUID();
    return pageVisitorId;
  }
}
