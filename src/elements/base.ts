import { ContextConsumer } from '@lit/context';
import { LitElement } from 'lit';
import type { Room } from '../connection/types.js';
import { roomContext } from '../context.js';
import { onMessagesChange } from '../i18n/messages.js';

/**
 * The small base every Flock element shares: the Room from the nearest `<flock-room>` (through
 * context, following it when it changes), a typed `emit`, and re-rendering when the message
 * table changes. An element subscribes in `watchRoom(room)` and returns its cleanup; the base
 * runs the cleanup when the room changes or the element leaves the page, so nothing outlives it.
 */
export class FlockElement extends LitElement {
  private readonly roomConsumer = new ContextConsumer(this, {
    context: roomContext,
    subscribe: true,
    callback: (room) => this.attachRoom(room),
  });
  private attached: Room | undefined;
  private detach: (() => void) | undefined;
  private stopMessages: (() => void) | undefined;

  /** The Room this element is in; undefined outside a `<flock-room>` (or a test's provider). */
  get room(): Room | undefined {
    return this.attached;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopMessages = onMessagesChange(() => this.requestUpdate());
    // Reconnected after a removal: the consumer asks again, but may be answered before this runs.
    if (!this.attached && this.roomConsumer.value) this.attachRoom(this.roomConsumer.value);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopMessages?.();
    this.attachRoom(undefined);
  }

  /** Subscribe to `room` here; return what undoes it. Called again whenever the room changes. */
  protected watchRoom(_room: Room): (() => void) | void {}

  /** Fires a bubbling, composed `flock-*` event with a typed detail. */
  protected emit<K extends keyof HTMLElementEventMap>(type: K, detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private attachRoom(room: Room | undefined): void {
    if (room === this.attached && (room === undefined || this.detach)) return;
    this.detach?.();
    this.detach = undefined;
    this.attached = room;
    if (room && this.isConnected) this.detach = this.watchRoom(room) ?? (() => undefined);
    this.requestUpdate();
  }
}
