import type { Room } from '../../connection/types.js';
import { onAbort, RoomController, type RoomHost } from '../room-controller.js';
import { orderPeople, peopleFrom, type Person } from './people.js';

export interface PresenceOptions {
  /** Seconds someone who left stays shown, so a reload doesn't flash a leave and a join. */
  graceSeconds(): number;
  /** Seconds without input before this user shows as away. */
  awayAfterSeconds(): number;
  selfLast(): boolean;
  changed(people: readonly Person[]): void;
  /** Joins and leaves of others since the last call, batched. */
  arrivals(joined: readonly Person[], left: readonly Person[]): void;
}

const BATCH_MS = 1000;
const ACTIVITY = ['pointermove', 'pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * The people an avatars element shows: the room's presence merged per user, with a grace
 * period for leavers, batched join/leave news, and this user's own idleness reported to the
 * room as `away`. Its timers and listeners last as long as the room.
 */
export class PresenceController extends RoomController {
  people: readonly Person[] = [];
  readonly #leaving = new Map<string, { person: Person; timer: number }>();
  #joined: Person[] = [];
  #left: Person[] = [];
  #batch: number | undefined;
  #idle: number | undefined;
  #seeded = false;

  constructor(
    host: RoomHost,
    private readonly options: PresenceOptions,
  ) {
    super(host);
  }

  protected override roomChanged(room: Room, signal: AbortSignal): void {
    this.#seeded = false;
    const sync = () => this.#sync(room);
    room.addEventListener('presence', sync, { signal });
    room.addEventListener('user', sync, { signal });
    const active = () => this.#activity(room);
    for (const type of ACTIVITY) document.addEventListener(type, active, { passive: true, capture: true, signal });
    this.#activity(room);
    sync();
    // The timers go with the room (RoomController clears them).
    onAbort(signal, () => {
      this.#leaving.clear();
      this.#batch = this.#idle = undefined;
      this.#joined = [];
      this.#left = [];
      this.people = [];
    });
  }

  #sync(room: Room): void {
    const current = peopleFrom(room.presence, room.user?.id);
    const here = new Set(current.map((p) => p.id));
    const shown = new Map(this.people.map((p) => [p.id, p]));
    for (const person of current) {
      const returning = this.#leaving.get(person.id);
      if (returning) {
        this.timers.clearTimeout(returning.timer);
        this.#leaving.delete(person.id);
      } else if (!shown.has(person.id) && this.#seeded && !person.self) {
        this.#joined.push(person);
      }
    }
    for (const person of this.people) {
      if (here.has(person.id) || this.#leaving.has(person.id)) continue;
      const timer = this.timers.setTimeout(() => {
        this.#leaving.delete(person.id);
        if (!person.self) this.#left.push(person);
        this.#publish(room);
        this.#schedule();
      }, this.options.graceSeconds() * 1000);
      this.#leaving.set(person.id, { person, timer });
    }
    // The first sync is who was already here: not news.
    if (room.user && room.presence.has(room.user.id)) this.#seeded = true;
    this.#publish(room, current);
    this.#schedule();
  }

  #publish(room: Room, current = peopleFrom(room.presence, room.user?.id)): void {
    const all = [...current, ...[...this.#leaving.values()].map((l) => l.person)];
    const next = orderPeople(all, this.options.selfLast());
    if (JSON.stringify(next) === JSON.stringify(this.people)) return;
    this.people = next;
    this.options.changed(next);
  }

  #schedule(): void {
    if (this.#batch !== undefined || (this.#joined.length === 0 && this.#left.length === 0)) return;
    this.#batch = this.timers.setTimeout(() => {
      this.#batch = undefined;
      const [joined, left] = [this.#joined, this.#left];
      this.#joined = [];
      this.#left = [];
      this.options.arrivals(joined, left);
    }, BATCH_MS);
  }

  /** Input from this user: active now, away after the idle period. */
  #activity(room: Room): void {
    if (this.#idle === undefined) room.setPresenceStatus('active');
    this.timers.clearTimeout(this.#idle);
    this.#idle = this.timers.setTimeout(() => {
      this.#idle = undefined;
      room.setPresenceStatus('away');
    }, this.options.awayAfterSeconds() * 1000);
  }
}
