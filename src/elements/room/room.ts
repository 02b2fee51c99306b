import { ContextProvider, ContextRoot } from '@lit/context';
import type { SupabaseClient } from '@supabase/supabase-js';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { acquireRoom, type RoomLease } from '../../connection/connection-registry.js';
import { LOCAL_ANON_KEY, LOCAL_SUPABASE_URL } from '../../connection/local-defaults.js';
import type { ConnectionStatus, Quality } from '../../connection/status.js';
import type { ConnectionState, FlockUser, FlockUserInput, Room } from '../../connection/types.js';
import { roomContext } from '../../context.js';

/** Room names are 1–200 characters (the schema's CHECK). */
const MAX_ROOM_NAME = 200;

export interface FlockStatusChangeDetail {
  state: ConnectionState;
}

export interface FlockUserChangeDetail {
  user: FlockUser;
}

/**
 * Connects everything inside it to one room. It owns (through a page-wide registry) the one
 * shared connection to Supabase — or, with no `supabase-url`, to the local server that
 * `npx flock-kit serve` starts — and provides the room to every Flock element inside it, in
 * the light DOM or through shadow roots.
 *
 * However many `<flock-room>`s a page has, it opens one WebSocket per project: each room is
 * one channel on it. Removing the element leaves the room; the socket closes when the last
 * room on it goes.
 *
 * @summary The provider: one room and the page's one connection, for every Flock element inside.
 * @tagname flock-room
 * @slot - The page content and Flock elements that belong to this room.
 * @event flock-status-change - The connection's status or quality changed. detail: { state: ConnectionState }
 * @event flock-user-change - This tab's user was resolved or changed. detail: { user: FlockUser }
 */
export class FlockRoom extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The room's name; everyone in the same room sees each other. Default: the page's path. */
  @property({ reflect: true }) room = '';

  /** Your Supabase project URL. Default: the local server, `http://127.0.0.1:54321`. */
  @property({ attribute: 'supabase-url' }) supabaseUrl = '';

  /** Your project's anon (publishable) key. Default: the local stack's public demo key. */
  @property({ attribute: 'supabase-key' }) supabaseKey = '';

  /** The name others see. Default: the session user's name, else "Guest XXXX". */
  @property({ attribute: 'user-name' }) userName = '';

  /** The user's colour, `#rrggbb`. Default: one from the palette, stable per user. */
  @property({ attribute: 'user-color' }) userColor = '';

  /** The user's picture; http(s) or same-origin only, anything else is ignored. */
  @property({ attribute: 'avatar-url' }) avatarUrl = '';

  /**
   * An existing supabase-js client to use as is (its socket, its session as the identity):
   * no second socket, no sign-in by the kit. Set it before or after connecting.
   */
  @property({ attribute: false }) client: SupabaseClient | undefined;

  readonly #provider = new ContextProvider(this, { context: roomContext });
  #lease: RoomLease | undefined;
  #leaseTarget = '';
  #leaseClient: SupabaseClient | undefined;
  #given: Room | undefined;
  #watched: Room | undefined;
  #userInput: FlockUserInput = {};
  #lastStatus: ConnectionStatus | undefined;
  #lastQuality: Quality | undefined;
  readonly #onStatus = () => this.#statusChanged();
  readonly #onUser = () => {
    const user = this.#watched?.user;
    if (user) this.#emit<FlockUserChangeDetail>('flock-user-change', { user });
  };

  /**
   * The Room every element inside uses (the context value); undefined while disconnected.
   * Set it (to a `MemoryRoom`, say) to provide that room instead of connecting: Storybook and
   * element tests do this. Read before the first update, it joins at once with what is set.
   */
  get api(): Room | undefined {
    if (!this.#given && !this.#lease && this.isConnected && !this.hasUpdated) this.#reconcile();
    return this.#given ?? this.#lease?.room;
  }

  set api(room: Room | undefined) {
    this.#given = room;
    this.#reconcile();
  }

  /** A snapshot of the shared connection. */
  get state(): ConnectionState | undefined {
    return this.api?.connection;
  }

  /** This tab's user once resolved. Setting it (`{ name, color, avatar }`) is the same as the `user-*` attributes. */
  get user(): FlockUser | undefined {
    return this.api?.user;
  }

  set user(input: FlockUserInput | undefined) {
    this.#userInput = { ...input };
    this.#applyProfile();
  }

  /** Reconnects now instead of waiting for the next try. */
  retryNow(): void {
    this.api?.retryNow();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The first time, wait for the first update (a microtask): a framework that sets `client`
    // just after inserting the element (@lit/react, in a layout effect) has set it by then, so
    // the kit never makes, and signs in, a client of its own for nothing. willUpdate joins.
    if (this.hasUpdated) this.#reconcile();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move within the page reconnects in the same task: keep the room through it.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#leave();
      this.#provide(undefined);
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('room') || changed.has('supabaseUrl') || changed.has('supabaseKey') || changed.has('client')) this.#reconcile();
    if (changed.has('userName') || changed.has('userColor') || changed.has('avatarUrl')) this.#applyProfile();
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  /** Joins the room the attributes name, leaving the previous one if they changed. */
  #reconcile(): void {
    if (!this.isConnected) return;
    if (this.#given) {
      // Already providing it (first update after connecting): nothing to redo.
      this.#leave();
      this.#provide(this.#given);
      return;
    }
    const url = this.supabaseUrl.trim() || LOCAL_SUPABASE_URL;
    const key = this.supabaseKey.trim() || LOCAL_ANON_KEY;
    const room = (this.room.trim() || location.pathname || '/').slice(0, MAX_ROOM_NAME);
    const target = JSON.stringify([url, key, room]);
    if (this.#lease && target === this.#leaseTarget && this.client === this.#leaseClient) return;
    this.#leave();
    this.#leaseTarget = target;
    this.#leaseClient = this.client;
    this.#lease = acquireRoom({ url, key, room, ...(this.client ? { client: this.client } : {}) });
    this.#applyProfile();
    this.#provide(this.#lease.room);
  }

  /** Hands `room` to the elements inside and follows its status and user. */
  #provide(room: Room | undefined): void {
    if (room === this.#watched) return;
    this.#watched?.removeEventListener('status', this.#onStatus);
    this.#watched?.removeEventListener('user', this.#onUser);
    this.#watched = room;
    this.#lastStatus = undefined;
    this.#lastQuality = undefined;
    this.#provider.setValue(room);
    if (!room) return;
    room.addEventListener('status', this.#onStatus);
    room.addEventListener('user', this.#onUser);
    this.#statusChanged();
    this.#onUser();
  }

  /** Gives back the connected room, if any; a given Room stays provided. */
  #leave(): void {
    const lease = this.#lease;
    if (!lease) return;
    this.#lease = undefined;
    if (this.#watched === lease.room) this.#provide(undefined);
    void lease.release();
  }

  #applyProfile(): void {
    const input: FlockUserInput = {
      ...(this.userName ? { name: this.userName } : {}),
      ...(this.userColor ? { color: this.userColor } : {}),
      ...(this.avatarUrl ? { avatar: this.avatarUrl } : {}),
      ...this.#userInput,
    };
    this.#lease?.connection.setProfile(input);
  }

  #statusChanged(): void {
    const state = this.#watched?.connection;
    if (!state || (state.status === this.#lastStatus && state.quality === this.#lastQuality)) return;
    this.#lastStatus = state.status;
    this.#lastQuality = state.quality;
    this.#emit<FlockStatusChangeDetail>('flock-status-change', { state });
  }

  #emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }
}

// Elements upgraded before their provider (script order, lazy definitions) ask again once it appears.
if (typeof document !== 'undefined') new ContextRoot().attach(document.documentElement);

declare global {
  interface HTMLElementTagNameMap {
    'flock-room': FlockRoom;
  }
  interface HTMLElementEventMap {
    'flock-status-change': CustomEvent<FlockStatusChangeDetail>;
    'flock-user-change': CustomEvent<FlockUserChangeDetail>;
  }
}
