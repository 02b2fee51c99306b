import type { SupabaseClient } from '@supabase/supabase-js';
import { fullJitter, type BackoffOptions } from './backoff.js';
import { resolveIdentity, saveProfile } from './identity.js';
import { Link } from './link.js';
import { IdbStore } from './outbox/idb-store.js';
import { Outbox, writeCounts } from './outbox/outbox.js';
import { Session } from './session.js';
import { STATUS, qualityOf } from './status.js';
import { ChannelSession } from './supabase/channel-session.js';
import { Timers } from './timers.js';
import type { ConnectionState, FlockUser, FlockUserInput, QueuedWrite } from './types.js';
import { WriteQueue } from './outbox/write-queue.js';
import { sendWrite } from './supabase/rest.js';

export { CONNECT_TIMEOUT_MS, WAKE_PROBE_MS } from './liveness.js';

/** How a kit-created client reconnects: the Connection plans each delay (see `ClientHooks`). */
export interface ClientHooks {
  reconnectDelay(tries: number): number;
}

export interface ConnectionOptions {
  url: string;
  key: string;
  client: SupabaseClient;
  /** True when the kit created `client` (it then drives reconnects); false for an app's client. */
  owned: boolean;
  /** Where a kit-created client sends its reconnect questions; the Connection installs itself. */
  hooks?: { current: ClientHooks | undefined };
  /** The reconnect schedule of a kit-created client (see `fullJitter`). */
  backoff?: BackoffOptions;
  /** Timer functions; tests pass counting ones to prove nothing outlives `dispose()`. */
  timers?: Timers;
  /** IndexedDB name for the outbox; tests keep theirs apart. */
  outboxDb?: string;
}

/**
 * The one shared connection for a (supabase url, key) on a page: its supabase-js client, and
 * so its one WebSocket, with the status, latency, identity and outbox every Room on it shares.
 * Rooms hold it through the registry (`connection-registry.ts`); nothing renders.
 *
 * It composes: the status machine (`liveness.ts`, fed the socket's callbacks and the browser's
 * `online`/`offline`/`visibilitychange`, its steps carried out here), this tab's identity
 * (`session.ts`), the outbox of the current user and the user's own channel.
 *
 * Events (plain `Event`s): `status` whenever `state` changes, `user` when the identity
 * resolves or changes, `writes` when the outbox changes, `resync` when the user's own channel
 * has joined (its changes are live from then on; anything before may have been missed).
 */
export class Connection extends EventTarget {
  readonly client: SupabaseClient;
  readonly owned: boolean;
  readonly url: string;
  readonly key: string;
  readonly #options: ConnectionOptions;
  readonly #timers: Timers;
  readonly #session: Session;
  readonly #link: Link;
  #dropped = 0;
  #outboxPromise: Promise<Outbox> | undefined;
  #outboxEntries: readonly QueuedWrite[] = [];
  readonly #cleanups: (() => void)[] = [];
  #disposed = false;
  /** Writes through the outbox (see `WriteQueue`), for every room on this connection. */
  readonly queue: WriteQueue;
  #personal: ChannelSession | undefined;

  constructor(options: ConnectionOptions) {
    super();
    this.#options = options;
    this.client = options.client;
    this.owned = options.owned;
    this.url = options.url;
    this.key = options.key;
    this.#timers = options.timers ?? new Timers();
    this.queue = new WriteQueue((write) => sendWrite(this.client, write), () => this.outbox(), this.#timers, () => this.#link.state.status === STATUS.connected);
    const client = this.client;
    this.#session = new Session({
      owned: this.owned,
      timers: this.#timers,
      resolve: (profile) => resolveIdentity(client, { owned: this.owned, profile }),
      saveProfile: (profile) => saveProfile(client, profile),
      refreshToken: () => void client.auth.getSession(),
      changed: (user, idChanged) => this.#userChanged(idChanged),
    });
    this.#cleanups.push(() => this.#session.close());
    this.#link = new Link({
      client,
      owned: this.owned,
      timers: this.#timers,
      delayFor: fullJitter(options.backoff),
      changed: () => this.#emit('status'),
      connected: () => {
        // Back online: a visitor may now sign in, and the outbox goes out.
        if (this.owned && this.#session.user?.kind === 'visitor') void this.#session.refresh().catch(() => undefined);
        void this.queue.flush().catch(() => undefined);
      },
    });
    this.#cleanups.push(() => this.#link.close());
    if (options.hooks) {
      options.hooks.current = { reconnectDelay: (tries) => this.#link.input({ type: 'retry', tries }) ?? 0 };
      this.#cleanups.push(() => (options.hooks!.current = undefined));
    }
    this.#link.start();
    const { data } = client.auth.onAuthStateChange((event, session) => this.#session.authChanged(event, session));
    this.#cleanups.push(() => data.subscription.unsubscribe());
  }

  /** The connection as `<flock-status>` shows it. */
  get state(): ConnectionState {
    const latency = this.#link.latency;
    const live = this.#link.state;
    const { queued, failed } = writeCounts(this.#outboxEntries);
    return {
      status: live.status,
      latency: latency === undefined ? undefined : Math.round(latency),
      quality: latency === undefined ? undefined : qualityOf(latency),
      attempt: live.attempt,
      nextRetryAt: live.nextRetryAt,
      lastConnectedAt: live.lastConnectedAt,
      queued,
      failed,
      dropped: this.#dropped,
      owned: this.owned,
    };
  }

  /** This tab's user, once resolved. */
  get user(): FlockUser | undefined {
    return this.#session.user;
  }

  get writes(): readonly QueuedWrite[] {
    return this.#outboxEntries;
  }

  /** Resolves the identity (session, else anonymous sign-in, else a visitor id); cached. */
  ready(): Promise<FlockUser> {
    return this.#session.ready();
  }

  /** Display name, colour and avatar from the page (`user-name`… or the `user` property). */
  setProfile(input: FlockUserInput): void {
    this.#session.setProfile(input);
  }

  /** Counts a malformed message from a peer (dropped, never shown). */
  noteDropped(count = 1): void {
    this.#dropped += count;
    this.#emit('status');
  }

  /** The outbox of the current user on this project, opened on first use. */
  outbox(): Promise<Outbox> {
    this.#outboxPromise ??= this.ready().then(async (user) => {
      const outbox = await Outbox.open(await IdbStore.open(`${this.url}|${user.id}`, this.#options.outboxDb));
      if (this.#disposed) {
        outbox.close();
        throw new Error('connection closed');
      }
      const update = (entries: readonly QueuedWrite[]) => {
        this.#outboxEntries = entries;
        this.#emit('writes');
        this.#emit('status');
      };
      update(outbox.list as readonly QueuedWrite[]);
      this.#cleanups.push(outbox.subscribe((entries) => update(entries as readonly QueuedWrite[])));
      this.#cleanups.push(() => outbox.close());
      return outbox;
    });
    return this.#outboxPromise;
  }


  /**
   * The current user's own channel (`flock-user:<id>`), for changes meant for them alone
   * (notifications), shared by every room on the connection.
   */
  userChannel(): ChannelSession {
    if (!this.#personal) {
      const channel = new ChannelSession(this.client, this.#timers);
      this.#personal = channel;
      const start = () => {
        // Every join, the first included: changes made before it (while elements were fetching) were missed.
        const user = this.#session.user;
        if (user) channel.start({ topic: `flock-user:${user.id}`, onJoined: () => this.#emit('resync') });
      };
      start();
      this.addEventListener('user', start);
      this.#cleanups.push(() => this.removeEventListener('user', start));
    }
    return this.#personal;
  }

  /** Sends a heartbeat now (unless one is in flight) to refresh the latency figure. */
  probe(): void {
    this.#link.probe();
  }

  /**
   * Reconnects now instead of waiting out the backoff. With a kit-created client this runs
   * phoenix's own reconnect step (refresh auth, then connect); with an app's client it only
   * asks realtime-js to connect if it is idle.
   */
  retryNow(): void {
    this.#link.input({ type: 'retryNow' });
  }

  /** Leaves the user's channel and releases every listener and timer; a kit-created socket is closed by the registry. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const cleanup of this.#cleanups.splice(0).reverse()) cleanup();
    this.#timers.clearAll();
    await this.#personal?.close();
    this.#timers.clearAll();
  }

  /** Timeouts this connection has pending (zero once disposed). */
  get pendingTimers(): number {
    return this.#timers.pending;
  }

  /** The session resolved someone new: another user gets their own outbox, sent if the network allows. */
  #userChanged(idChanged: boolean): void {
    if (this.#disposed) return;
    if (idChanged && this.#outboxPromise) {
      const previous = this.#outboxPromise;
      this.#outboxPromise = undefined;
      void previous.then((outbox) => outbox.close()).catch(() => undefined);
      void this.outbox()
        .then(() => this.queue.flush())
        .catch(() => undefined);
    } else if (idChanged) {
      // Writes queued by an earlier page load show (and count) before the network returns.
      void this.outbox().catch(() => undefined);
    }
    this.#emit('user');
  }

  #emit(name: 'status' | 'user' | 'writes' | 'resync'): void {
    if (!this.#disposed) this.dispatchEvent(new Event(name));
  }
}
