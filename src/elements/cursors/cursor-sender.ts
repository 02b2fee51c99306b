import type { Room } from '../../connection/types.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';

/**
 * Sends this user's pointer: at most `rate()` a second, with a trailing send so the last
 * position always arrives (a leading-only throttle loses where a fast move stopped), nothing
 * while alone in the room, and slower as the room grows so the room's cursor traffic stays
 * within the project's message budget:
 *
 *   effective rate = min(rate, budget / (n × (n − 1)))   for n people in the room,
 *
 * since each of n senders' messages is delivered to the n − 1 others (Supabase counts each
 * delivery as a message).
 */
export function effectiveRate(rate: number, budget: number, people: number): number {
  if (people < 2) return 0;
  return Math.max(0, Math.min(rate, budget / (people * (people - 1))));
}

/** The sender for the host's room; leaving the room (or the page) sends `gone` to it. */
export class CursorSender extends RoomController {
  #lastSent = -Infinity;
  #pending: { x: number; y: number } | undefined;
  #timer: number | undefined;
  #present = false;
  /** Messages sent in this room, for the status details and the tests. */
  sent = 0;

  constructor(
    host: RoomHost,
    private readonly rate: () => number,
    private readonly budget: () => number,
  ) {
    super(host);
  }

  protected override roomChanged(_room: Room, signal: AbortSignal): void {
    this.sent = 0;
    this.#lastSent = -Infinity;
    onAbort(signal, () => this.gone());
  }

  /** The rate in force now, per second. */
  get currentRate(): number {
    return effectiveRate(this.rate(), this.budget(), this.room?.presence.size ?? 0);
  }

  move(x: number, y: number): void {
    const rate = this.currentRate;
    if (rate <= 0) return;
    this.#pending = { x, y };
    const interval = 1000 / rate;
    const wait = this.#lastSent + interval - performance.now();
    if (wait <= 0 && this.#timer === undefined) this.#flush();
    else this.#timer ??= this.timers.setTimeout(() => this.#flush(), Math.max(0, wait));
  }

  /** The pointer left the target (or the page, or the element went away). */
  gone(): void {
    this.#cancel();
    if (!this.#present) return;
    this.#present = false;
    this.sent++;
    void this.room?.broadcast('cursor', { gone: true });
  }

  #flush(): void {
    this.#timer = undefined;
    const position = this.#pending;
    this.#pending = undefined;
    if (!position || this.currentRate <= 0) return;
    this.#lastSent = performance.now();
    this.#present = true;
    this.sent++;
    void this.room?.broadcast('cursor', position);
  }

  #cancel(): void {
    this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
