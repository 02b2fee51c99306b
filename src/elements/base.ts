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
 *
 * The shared design tokens every element's styles start from (tokens.styles.ts), with light and
 * dark (`prefers-color-scheme`) defaults; each element's manifest entry inherits them:
 * @cssproperty --flock-font - Font family. Default system-ui, sans-serif.
 * @cssproperty --flock-font-size - Base font size. Default 0.875rem.
 * @cssproperty --flock-color-text - Text. Default #111827 (dark: #f3f4f6).
 * @cssproperty --flock-color-surface - Backgrounds of buttons, panels and popovers. Default #ffffff (dark: #1f2937).
 * @cssproperty --flock-color-border - Borders and dividers. Default #d1d5db (dark: #4b5563).
 * @cssproperty --flock-color-muted - Secondary text. Default #4b5563 (dark: #9ca3af).
 * @cssproperty --flock-color-focus - Focus rings. Default #2563eb (dark: #93c5fd).
 * @cssproperty --flock-color-selected - The active or selected item. Default #e5e7eb (dark: #374151).
 * @cssproperty --flock-color-success - Good states. Default #15803d (dark: #4ade80).
 * @cssproperty --flock-color-warning - States that need attention. Default #b45309 (dark: #fbbf24).
 * @cssproperty --flock-color-danger - Errors and failures. Default #b91c1c (dark: #f87171).
 */
export class FlockElement extends LitElement {
  readonly #roomConsumer = new ContextConsumer(this, {
    context: roomContext,
    subscribe: true,
    callback: (room) => this.#attachRoom(room),
  });
  #attached: Room | undefined;
  #detach: (() => void) | undefined;
  #stopMessages: (() => void) | undefined;

  /** The Room this element is in; undefined outside a `<flock-room>` (or a test's provider). */
  get room(): Room | undefined {
    return this.#attached;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#stopMessages = onMessagesChange(() => this.requestUpdate());
    // Reconnected after a removal: the consumer asks again, but may be answered before this runs.
    if (!this.#attached && this.#roomConsumer.value) this.#attachRoom(this.#roomConsumer.value);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopMessages?.();
    this.#attachRoom(undefined);
  }

  /** Subscribe to `room` here; return what undoes it. Called again whenever the room changes. */
  protected watchRoom(_room: Room): (() => void) | void {}

  /** Fires a bubbling, composed `flock-*` event with a typed detail. */
  protected emit<K extends keyof HTMLElementEventMap>(type: K, detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #attachRoom(room: Room | undefined): void {
    if (room === this.#attached && (room === undefined || this.#detach)) return;
    this.#detach?.();
    this.#detach = undefined;
    this.#attached = room;
    if (room && this.isConnected) this.#detach = this.watchRoom(room) ?? (() => undefined);
    this.requestUpdate();
  }
}
