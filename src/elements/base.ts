import { LitElement } from 'lit';
import type { Room } from '../connection/types.js';
import { onMessagesChange } from '../i18n/messages.js';
import { RoomController } from './room-controller.js';

/**
 * The small base every Flock element shares: the Room from the nearest `<flock-room>` (a
 * RoomController of its own, following it when it changes), a typed `emit`, and re-rendering when
 * the message table changes. An element subscribes in `watchRoom(room, signal)`, tying listeners
 * and unsubscribes to the signal, which aborts when the room changes or the element leaves.
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
  readonly #room = new ElementRoom(this, (room, signal) => this.watchRoom(room, signal));
  #stopMessages: (() => void) | undefined;

  /** The Room this element is in; undefined outside a `<flock-room>` (or a test's provider). */
  get room(): Room | undefined {
    return this.#room.room;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#stopMessages = onMessagesChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopMessages?.();
  }

  /**
   * Subscribe to `room` here, for as long as `signal` lasts: it aborts when the room changes or
   * the element leaves the page. Called again for each new room.
   */
  protected watchRoom(_room: Room, _signal: AbortSignal): void {}

  /** Fires a bubbling, composed `flock-*` event with a typed detail. */
  protected emit<K extends keyof HTMLElementEventMap>(type: K, detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/** The element's own room: `watchRoom` is its `roomChanged`. */
class ElementRoom extends RoomController {
  constructor(
    host: FlockElement,
    private readonly watch: (room: Room, signal: AbortSignal) => void,
  ) {
    super(host);
  }

  protected override roomChanged(room: Room, signal: AbortSignal): void {
    this.watch(room, signal);
  }
}
