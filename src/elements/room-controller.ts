import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Timers, type Clock } from '../connection/timers.js';
import type { Room } from '../connection/types.js';
import { roomContext } from '../context.js';

export type RoomHost = ReactiveControllerHost & HTMLElement;

/**
 * The one shape of controller an element holds: it finds the Room itself (the nearest
 * `<flock-room>`'s, through context, following it when it changes), so elements never hand the
 * Room to their helpers. Each room it is given gets a fresh `AbortSignal` in `roomChanged`;
 * the signal aborts when the room changes or the host leaves the page, and the controller's
 * `timers` are cleared with it. Listeners added with `{ signal }`, unsubscribes hung on the
 * signal's `abort` and reads given the signal all stop together, so nothing outlives the room.
 */
export class RoomController implements ReactiveController {
  /** Every timeout this controller sets; cleared whenever its room goes. */
  protected readonly timers: Timers;
  #room: Room | undefined;
  #stop: AbortController | undefined;

  constructor(
    protected readonly host: RoomHost,
    clock?: Clock,
  ) {
    this.timers = new Timers(clock);
    host.addController(this);
    // Added after this controller, so it answers (in hostConnected) once this one is connected.
    new ContextConsumer(host, { context: roomContext, subscribe: true, callback: (room) => this.#use(room) });
  }

  /** The Room while the host is on the page inside one; undefined otherwise. */
  get room(): Room | undefined {
    return this.#room;
  }

  hostDisconnected(): void {
    this.#use(undefined);
  }

  /** Start following `room`; everything started here stops when `signal` aborts. */
  protected roomChanged(_room: Room, _signal: AbortSignal): void {}

  #use(room: Room | undefined): void {
    if (room === this.#room) return;
    this.#stop?.abort();
    this.#stop = undefined;
    this.timers.clearAll();
    this.#room = room;
    if (room) this.roomChanged(room, (this.#stop = new AbortController()).signal);
    this.host.requestUpdate();
  }
}

/** Runs `undo` when `signal` aborts: how an unsubscribe function joins the room's signal. */
export function onAbort(signal: AbortSignal, undo: () => void): void {
  signal.addEventListener('abort', undo, { once: true });
}
