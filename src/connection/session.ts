import { sameUser } from './identity.js';
import type { Timers } from './timers.js';
import { shortTokenRefreshDelay, type ExpiringSession } from './token-refresh.js';
import type { FlockUser, FlockUserInput } from './types.js';

/** How long profile changes settle before they are stored: attributes often arrive one by one. */
export const PROFILE_SAVE_DELAY_MS = 500;

export interface SessionOptions {
  /** True for a kit-created client: the kit stores the page's profile on its users. */
  owned: boolean;
  timers: Timers;
  /** Who this tab is, for this profile (identity.ts over the client: session → anonymous sign-in → visitor). */
  resolve(profile: FlockUserInput): Promise<FlockUser>;
  /** Stores the page's name, colour and avatar on the signed-in user. */
  saveProfile(profile: FlockUserInput): Promise<void>;
  /** Reads the auth session again, which refreshes a token inside auth-js's margin. */
  refreshToken(): void;
  /** The identity resolved to someone new or shown differently; `idChanged` when it is another user. */
  changed(user: FlockUser, idChanged: boolean): void;
}

/**
 * This tab's identity over time: resolves it one at a time (two at once could sign in twice),
 * resolves again when auth says something changed, keeps the page's profile stored on the user
 * (debounced) and renews a token too short-lived for auth-js's own refresh tick. Transport
 * free: the Connection hands it the functions that talk to supabase-js, so node tests drive it
 * with a fake clock (test/unit/session.test.ts).
 */
export class Session {
  readonly #options: SessionOptions;
  #profile: FlockUserInput = {};
  #user: FlockUser | undefined;
  #resolving: Promise<FlockUser> | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #tokenRefresh: number | undefined;
  #profileSave: number | undefined;
  #closed = false;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  /** This tab's user, once resolved. */
  get user(): FlockUser | undefined {
    return this.#user;
  }

  /** The first resolution, cached. */
  ready(): Promise<FlockUser> {
    this.#resolving ??= this.refresh();
    return this.#resolving;
  }

  /** Resolves again, after any resolution already running. */
  refresh(): Promise<FlockUser> {
    const next = this.#chain.then(() => this.#resolve());
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Display name, colour and avatar from the page; stored on the user once resolved. */
  setProfile(input: FlockUserInput): void {
    this.#profile = { ...input };
    if (!this.#user) return; // the first resolution reads it
    void this.refresh().then((user) => this.#scheduleProfileSave(user));
  }

  /** What `onAuthStateChange` reports. */
  authChanged(event: string, session: ExpiringSession | null): void {
    if (this.#closed) return;
    this.#timers.clearTimeout(this.#tokenRefresh);
    const delay = shortTokenRefreshDelay(session, this.#timers.now());
    if (delay !== undefined) this.#tokenRefresh = this.#timers.setTimeout(() => this.#options.refreshToken(), delay);
    // The same user with a new token. Reading the session again would refresh a token that lives
    // under auth-js's 90 s margin at once, whose event would read it again: a refresh loop.
    if (event === 'TOKEN_REFRESHED') return;
    // Auth's own lock is held while this runs: resolving here would deadlock on getSession.
    this.#timers.setTimeout(() => {
      if (!this.#closed) void this.refresh().catch(() => undefined);
    }, 0);
  }

  /** Stops reacting; timers go with the owner's `Timers.clearAll()`. */
  close(): void {
    this.#closed = true;
    this.#timers.clearTimeout(this.#tokenRefresh);
    this.#timers.clearTimeout(this.#profileSave);
  }

  get #timers(): Timers {
    return this.#options.timers;
  }

  async #resolve(): Promise<FlockUser> {
    const user = await this.#options.resolve(this.#profile);
    if (!this.#closed && !sameUser(user, this.#user)) {
      const idChanged = user.id !== this.#user?.id;
      this.#user = user;
      if (idChanged) this.#scheduleProfileSave(user);
      this.#options.changed(user, idChanged);
    }
    return user;
  }

  /** Keeps the user's metadata in step with the page's profile (kit-made users only). */
  #scheduleProfileSave(user: FlockUser): void {
    if (this.#closed || !this.#options.owned || user.kind === 'visitor') return;
    this.#timers.clearTimeout(this.#profileSave);
    this.#profileSave = this.#timers.setTimeout(() => void this.#options.saveProfile(this.#profile).catch(() => undefined), PROFILE_SAVE_DELAY_MS);
  }
}
