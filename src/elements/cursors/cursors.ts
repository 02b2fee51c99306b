import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Room } from '../../connection/types.js';
import type { CursorMessage } from '../../connection/wire.js';
import { msg, plural } from '../../i18n/messages.js';
import { FlockElement } from '../base.js';
import { onAbort } from '../room-controller.js';
import { textOn } from '../avatars/people.js';
import { tokens } from '../tokens.styles.js';
import { CursorMotion } from './cursor-motion.js';
import { CursorSender } from './cursor-sender.js';
import { cursorsStyles } from './cursors.styles.js';
import { measure, toFraction, toViewport } from './geometry.js';

/** Who a cursor belongs to. */
export interface CursorPerson {
  id: string;
  name: string;
  color: string;
}

export interface FlockCursorDetail {
  person: CursorPerson;
}

const IDLE_CHECK_MS = 1000;

/**
 * Everyone else's pointer over a target element (default: the page), with their name in their
 * colour, and this user's pointer sent to them. Positions travel as fractions of the target's
 * width and scroll height, so they land on the same content whatever each person's window
 * size, zoom and scroll. Cursors are decorative (`aria-hidden`); `announce` adds a polite
 * summary of who is pointing.
 *
 * @summary Live cursors that stay over the same content, smooth and cheap.
 * @tagname flock-cursors
 * @event flock-cursor-enter - Someone's cursor appeared. detail: { person }
 * @event flock-cursor-leave - Someone's cursor went away. detail: { person }
 * @csspart layer - The fixed layer the cursors are drawn in (never takes the pointer).
 * @csspart cursor - Each cursor: the arrow and its label, or what `renderCursor` draws.
 * @csspart self - This user's own cursor, with `show-self` (with `cursor`).
 * @csspart label - The name label.
 * @cssproperty --flock-cursor-idle-opacity - Opacity of a cursor that hasn't moved for `idle-after` seconds. Default 0.25.
 * @cssproperty --flock-cursor-label-max - Longest label before it is cut with an ellipsis. Default 16em.
 * @cssproperty --flock-cursor-font-size - Size of the labels' text. Default 0.75rem.
 * @cssproperty --flock-radius-label - Corners of the labels. Default 0.4em.
 * @cssproperty --flock-font - The labels' font (the shared token). Default system-ui, sans-serif.
 * @cssproperty --flock-z-cursors - Stacking order of the layer. Default 2147483000 (above everything).
 */
export class FlockCursors extends FlockElement {
  static override styles = [tokens, cursorsStyles];

  /** CSS selector of the element cursors are relative to; default the whole page. */
  @property() target = '';

  /** Most position messages sent per second (lowered automatically as the room grows). */
  @property({ type: Number }) rate = 20;

  /** The room's cursor message budget per second: Supabase counts every delivery (Free plan: 100). */
  @property({ type: Number }) budget = 100;

  /** Seconds without movement before a cursor fades. */
  @property({ type: Number, attribute: 'idle-after' }) idleAfter = 30;

  /** Also draw this user's own cursor (from the local pointer, nothing sent for it). */
  @property({ type: Boolean, attribute: 'show-self' }) showSelf = false;

  /** Cursors without name labels. */
  @property({ type: Boolean, attribute: 'hide-labels' }) hideLabels = false;

  /** A polite screen-reader summary of who is pointing. */
  @property({ type: Boolean }) announce = false;

  /** Jump instead of gliding (also whenever the user prefers reduced motion). */
  @property({ type: Boolean, attribute: 'reduced-motion' }) reducedMotion = false;

  /** Draws a cursor yourself: return a template for that person (replaces arrow and label). */
  @property({ attribute: false }) renderCursor: ((person: CursorPerson) => TemplateResult) | undefined;

  @state() private shown: CursorPerson[] = [];
  @state() private summary = '';
  readonly #motion = new CursorMotion(() => this.reducedMotion || matchMedia('(prefers-reduced-motion: reduce)').matches);
  readonly #nodes = new Map<string, HTMLElement>();
  #frame: number | undefined;
  #lastFrame = 0;
  #idleTimer: number | undefined;
  #clip = '';
  readonly #sender = new CursorSender(this, () => this.rate, () => this.budget);
  /**
   * Messages from peers applied (for tests and the bench).
   * @internal
   */
  received = 0;

  /** The current send rate per second, after the room-size adjustment. */
  get sendRate(): number {
    return this.room ? this.#sender.currentRate : 0;
  }

  /** Position messages this element has sent. */
  get sent(): number {
    return this.#sender.sent;
  }

  protected override watchRoom(room: Room, signal: AbortSignal): void {
    const sender = this.#sender;
    onAbort(signal, room.onBroadcast('cursor', (message) => this.#heard(room, message)));
    // The room's signal removes every listener below.
    const passive = { passive: true, signal };
    room.addEventListener('presence', () => this.#prune(room), { signal });
    const onMove = (event: PointerEvent) => this.#pointer(event, sender);
    const onLeave = () => sender.gone();
    document.addEventListener('pointermove', onMove, passive);
    document.addEventListener('pointerdown', onMove, passive);
    document.documentElement.addEventListener('pointerleave', onLeave, { signal });
    document.addEventListener(
      'visibilitychange',
      () => {
        if (document.visibilityState === 'hidden') sender.gone();
      },
      { signal },
    );
    window.addEventListener('pagehide', onLeave, { signal });
    window.addEventListener('scroll', this.#reposition, { passive: true, capture: true, signal });
    window.addEventListener('resize', this.#reposition, passive);
    onAbort(signal, () => {
      if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
      window.clearInterval(this.#idleTimer);
      this.#frame = this.#idleTimer = undefined;
      this.#motion.cursors.clear();
      this.shown = [];
    });
  }

  protected override render() {
    return html`
      <div part="layer" aria-hidden="true">
        ${repeat(
          this.shown,
          (person) => person.id,
          (person) => html`<div part=${person.id === this.room?.user?.id ? 'cursor self' : 'cursor'} data-id=${person.id} data-hidden>
            ${this.renderCursor ? this.renderCursor(person) : this.#defaultCursor(person)}
          </div>`,
        )}
      </div>
      ${this.announce ? html`<div class="visually-hidden" role="status" aria-live="polite">${this.summary}</div>` : nothing}
    `;
  }

  protected override updated(): void {
    // Cursor nodes are re-found after each render; the frame loop moves them without rendering.
    this.#nodes.clear();
    for (const node of this.renderRoot.querySelectorAll<HTMLElement>('[part~="cursor"]')) this.#nodes.set(node.dataset.id!, node);
    this.#draw();
  }

  #defaultCursor(person: CursorPerson) {
    return html`<svg width="18" height="22" viewBox="0 0 18 22" aria-hidden="true">
        <path d="M1 1 L1 18 L5.5 13.8 L8.6 20.6 L11.6 19.3 L8.6 12.6 L14.8 12.6 Z" fill=${person.color} stroke="white" stroke-width="1.5" stroke-linejoin="round" />
      </svg>
      ${this.hideLabels ? nothing : html`<span part="label" style=${`background:${person.color};color:${textOn(person.color)}`}>${person.name}</span>`}`;
  }

  #targetElement(): Element {
    return (this.target && document.querySelector(this.target)) || document.documentElement;
  }

  #pointer(event: PointerEvent, sender: CursorSender): void {
    const fraction = toFraction(this.#targetElement(), event.clientX, event.clientY);
    if (!fraction) {
      sender.gone();
      if (this.showSelf) this.#forget(this.room?.user?.id);
      return;
    }
    sender.move(fraction.x, fraction.y);
    const self = this.room?.user;
    if (this.showSelf && self) this.#place(self, fraction.x, fraction.y);
  }

  #heard(room: Room, message: CursorMessage): void {
    this.received++;
    // Under this user's own id: another tab of theirs, or someone posing as them. This tab alone
    // draws its own cursor (with show-self), so neither may draw it, move it or remove it.
    if (message.id === room.user?.id) return;
    if ('gone' in message) return this.#forget(message.id);
    const meta = room.presence.get(message.id)?.[0];
    if (!meta) return;
    this.#place({ id: meta.id, name: meta.name, color: meta.color }, message.x, message.y);
  }

  #place(person: CursorPerson, x: number, y: number): void {
    const isNew = !this.#motion.cursors.has(person.id);
    this.#motion.aim(person.id, x, y);
    if (isNew) {
      this.shown = [...this.shown, person];
      this.#cursorsChanged();
      if (person.id !== this.room?.user?.id) this.emit('flock-cursor-enter', { person });
    }
    this.#idleTimer ??= window.setInterval(() => this.#markIdle(), IDLE_CHECK_MS);
    this.#loop();
  }

  #forget(id: string | undefined): void {
    if (!id || !this.#motion.remove(id)) return;
    const person = this.shown.find((p) => p.id === id);
    this.shown = this.shown.filter((p) => p.id !== id);
    this.#cursorsChanged();
    if (person && person.id !== this.room?.user?.id) this.emit('flock-cursor-leave', { person });
    if (this.shown.length === 0) {
      window.clearInterval(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  /** People who left the room take their cursor with them. */
  #prune(room: Room): void {
    for (const person of this.shown) if (!room.presence.has(person.id) && person.id !== room.user?.id) this.#forget(person.id);
  }

  #cursorsChanged(): void {
    if (!this.announce) return;
    const names = this.shown.filter((p) => p.id !== this.room?.user?.id).map((p) => p.name);
    if (names.length === 0) this.summary = msg('cursors.nobody');
    else if (names.length === 1) this.summary = msg('cursors.pointing1', { a: names[0]! });
    else if (names.length === 2) this.summary = msg('cursors.pointing2', { a: names[0]!, b: names[1]! });
    else this.summary = plural('cursors.pointingMany', names.length - 1, { a: names[0]! });
  }

  /** One animation frame loop for every cursor, running only while something moves. */
  #loop(): void {
    if (this.#frame !== undefined) return;
    this.#lastFrame = performance.now();
    const tick = (now: number) => {
      const moving = this.#motion.step(now - this.#lastFrame);
      this.#lastFrame = now;
      this.#draw();
      this.#frame = moving ? requestAnimationFrame(tick) : undefined;
    };
    this.#frame = requestAnimationFrame(tick);
  }

  /** Measures once, then only writes: one layout per frame however many cursors there are. */
  #draw(): void {
    const geometry = measure(this.#targetElement());
    const root = document.documentElement;
    // Cursors and their labels show over the target only, not over the content around it.
    const clip = `inset(${Math.max(0, geometry.top)}px ${Math.max(0, root.clientWidth - geometry.right)}px ${Math.max(0, window.innerHeight - geometry.bottom)}px ${Math.max(0, geometry.left)}px)`;
    if (clip !== this.#clip) this.renderRoot.querySelector<HTMLElement>('[part="layer"]')?.style.setProperty('clip-path', (this.#clip = clip));
    const flipAt = geometry.right - 160;
    for (const [id, cursor] of this.#motion.cursors) {
      const node = this.#nodes.get(id);
      if (!node) continue;
      const point = toViewport(geometry, cursor);
      node.style.transform = `translate3d(${point.left}px, ${point.top}px, 0)`;
      // Attributes only when they change: each change restyles the node.
      if (node.hasAttribute('data-hidden') === point.visible) node.toggleAttribute('data-hidden', !point.visible);
      // Labels stay over the target: near its right edge they hang to the left of the arrow.
      const flip = point.left > flipAt;
      if (node.hasAttribute('data-flip') !== flip) node.toggleAttribute('data-flip', flip);
    }
  }

  readonly #reposition = () => this.#draw();

  #markIdle(): void {
    const now = performance.now();
    for (const [id, cursor] of this.#motion.cursors) this.#nodes.get(id)?.toggleAttribute('data-idle', now - cursor.heardAt > this.idleAfter * 1000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'flock-cursors': FlockCursors;
  }
  interface HTMLElementEventMap {
    'flock-cursor-enter': CustomEvent<FlockCursorDetail>;
    'flock-cursor-leave': CustomEvent<FlockCursorDetail>;
  }
}
