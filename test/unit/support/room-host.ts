import type { ReactiveController } from 'lit';
import type { Room } from '../../../src/connection/types.js';
import { roomContext } from '../../../src/context.js';
import type { RoomHost } from '../../../src/elements/room-controller.js';

type Answer = (room: Room | undefined, unsubscribe?: () => void) => void;

/**
 * A Lit controller host for node: it runs its controllers' hostConnected/hostDisconnected, and
 * answers their context requests with a Room the way `<flock-room>`'s ContextProvider does
 * (subscribers are told when `provide` changes it). The controllers' real ContextConsumer
 * makes the requests; only the element around them is left out.
 */
export class TestHost extends EventTarget {
  readonly #controllers = new Set<ReactiveController>();
  readonly #subscribers = new Map<Answer, () => void>();
  #room: Room | undefined;
  updates = 0;

  constructor(room?: Room) {
    super();
    this.#room = room;
    this.addEventListener('context-request', (event) => {
      const request = event as Event & { context: unknown; callback: Answer; subscribe?: boolean };
      if (request.context !== roomContext || this.#room === undefined) return;
      event.stopPropagation();
      let unsubscribe: (() => void) | undefined;
      if (request.subscribe) {
        unsubscribe = this.#subscribers.get(request.callback);
        if (!unsubscribe) {
          unsubscribe = () => void this.#subscribers.delete(request.callback);
          this.#subscribers.set(request.callback, unsubscribe);
        }
      }
      request.callback(this.#room, unsubscribe);
    });
  }

  /** This host as the controllers' constructors take it. */
  get host(): RoomHost {
    return this as unknown as RoomHost;
  }

  addController(controller: ReactiveController): void {
    this.#controllers.add(controller);
  }

  removeController(controller: ReactiveController): void {
    this.#controllers.delete(controller);
  }

  requestUpdate(): void {
    this.updates++;
  }

  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }

  connect(): void {
    for (const controller of this.#controllers) controller.hostConnected?.();
  }

  disconnect(): void {
    for (const controller of this.#controllers) controller.hostDisconnected?.();
  }

  /** Provides another room to every subscribed controller. */
  provide(room: Room | undefined): void {
    this.#room = room;
    for (const [answer, unsubscribe] of this.#subscribers) answer(room, unsubscribe);
  }
}
