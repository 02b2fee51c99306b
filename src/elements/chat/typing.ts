import type { Room } from '../../connection/types.js';
import { msg } from '../../i18n/messages.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';

/**
 * "Ada is typing…" both ways, over the room's `typing` broadcast.
 *
 * Sending: `typing: true` at most every `RESEND_MS` while the user types, `typing: false` on
 * send, blur or `IDLE_MS` without a keystroke. Receiving: each typist expires `EXPIRE_MS` after
 * their last `typing: true` (they re-send every 2 s while typing), so someone whose tab closed
 * mid-sentence disappears; leaving the room removes them at once. Broadcasts are validated by
 * the Room (a v1 shape from someone present) before they reach this.
 */
export const TYPING = { RESEND_MS: 2000, IDLE_MS: 5000, EXPIRE_MS: 6000 } as const;

export class TypingTracker extends RoomController {
  /** Who is typing now (user ids, in the order they started). */
  readonly #typists = new Map<string, number>();
  #sentAt = -Infinity;
  #sending = false;
  #idleTimer: number | undefined;
  #expiryTimer: number | undefined;

  constructor(
    host: RoomHost,
    private readonly changed: () => void,
  ) {
    super(host);
  }

  protected override roomChanged(room: Room, signal: AbortSignal): void {
    onAbort(signal, room.onBroadcast('typing', (message) => {
      if (message.id === room.user?.id) return;
      const was = this.#typists.has(message.id);
      if (message.typing) this.#typists.set(message.id, performance.now() + TYPING.EXPIRE_MS);
      else this.#typists.delete(message.id);
      this.#schedule();
      // A typist's refresh changes no text: re-rendering the chat for each one would let a peer
      // repeating `typing: true` cost this page a full render per message.
      if (was !== message.typing) this.changed();
    }));
    const left = () => {
      let gone = false;
      for (const id of this.#typists.keys()) if (!room.presence.has(id)) gone = this.#typists.delete(id) || gone;
      if (gone) this.changed();
    };
    room.addEventListener('presence', left, { signal });
    onAbort(signal, () => {
      // Still this room's: the typist tells it they stopped.
      this.stop();
      this.#typists.clear();
    });
  }

  /** Ids of the people typing, oldest first. */
  get ids(): string[] {
    return [...this.#typists.keys()];
  }

  /** The sentence for who is typing, or '' when nobody is. */
  label(nameOf: (id: string) => string): string {
    const names = this.ids.map(nameOf);
    if (names.length === 0) return '';
    if (names.length === 1) return msg('chat.typing1', { a: names[0]! });
    if (names.length === 2) return msg('chat.typing2', { a: names[0]!, b: names[1]! });
    return msg('chat.typingMany');
  }

  /** The user typed: tell the room, no more than every `RESEND_MS`. */
  keystroke(): void {
    const now = performance.now();
    if (!this.#sending || now - this.#sentAt >= TYPING.RESEND_MS) {
      this.#sending = true;
      this.#sentAt = now;
      void this.room?.broadcast('typing', { typing: true });
    }
    this.timers.clearTimeout(this.#idleTimer);
    this.#idleTimer = this.timers.setTimeout(() => this.stop(), TYPING.IDLE_MS);
  }

  /** Sent, blurred, emptied or idle: tell the room this user stopped (once). */
  stop(): void {
    this.timers.clearTimeout(this.#idleTimer);
    if (!this.#sending) return;
    this.#sending = false;
    this.#sentAt = -Infinity;
    void this.room?.broadcast('typing', { typing: false });
  }

  #schedule(): void {
    this.timers.clearTimeout(this.#expiryTimer);
    if (this.#typists.size === 0) return;
    const next = Math.min(...this.#typists.values());
    this.#expiryTimer = this.timers.setTimeout(() => {
      const now = performance.now();
      for (const [id, expires] of this.#typists) if (expires <= now) this.#typists.delete(id);
      this.#schedule();
      this.changed();
    }, Math.max(0, next - performance.now()) + 10);
  }
}
