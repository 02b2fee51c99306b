import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { WIRE_LIMITS } from '../../connection/wire.js';
import { flockLocale, msg, plural } from '../../i18n/messages.js';
import { FlockElement } from '../base.js';
import { AnchoredPopover } from '../popover/anchored-popover.js';
import { popoverStyles } from '../popover/popover.styles.js';
import { tokens } from '../tokens.styles.js';
import { initials, isAvatarUrl, orderPeople, textOn, type Person } from './people.js';
import { PresenceController } from './presence-controller.js';
import { avatarsStyles } from './avatars.styles.js';

export interface FlockPresenceChangeDetail {
  people: readonly Person[];
}

export interface FlockAvatarClickDetail {
  person: Person;
}

/**
 * Shows who is in the room, one avatar per person however many tabs they have open: the
 * current user first (or last), others by arrival. Away people (every tab hidden or idle) are
 * dimmed; someone who leaves stays for a short grace period, so a reload doesn't flash a leave
 * and a join. Past `max`, a `+N` button opens a list of everyone.
 *
 * @summary Presence avatars with overflow, away state and a keyboard-friendly list.
 * @tagname flock-avatars
 * @event flock-presence-change - The people shown changed. detail: { people: Person[] }
 * @event flock-avatar-click - An avatar or list entry was chosen. detail: { person: Person }
 * @csspart group - The row of avatars (a toolbar: arrow keys move between them).
 * @csspart avatar - Each avatar, in the row and in the list.
 * @csspart self - The current user's avatar (with `avatar`).
 * @csspart away - The avatar of someone who is away (with `avatar`).
 * @csspart overflow - The "+N" button.
 * @csspart list - The list of everyone (a listbox; in the top layer, attached to the "+N" button).
 * @csspart option - Each entry of the list.
 * @csspart active - The list entry the keyboard is on (with `option`).
 * @csspart tooltip - Name and status shown on hover and focus, under that avatar.
 * @cssproperty --flock-avatar-size - Diameter of an avatar. Default 32px (24px with size="s", 40px with size="l").
 * @cssproperty --flock-color-surface - The ring around each avatar and the list's background.
 * @cssproperty --flock-radius-panel - Corners of the list. Default 0.5em.
 */
export class FlockAvatars extends FlockElement {
  static override styles = [tokens, popoverStyles, avatarsStyles];

  /** Avatars shown before the "+N" button. */
  @property({ type: Number }) max = 5;

  /** Avatar size: `s` (24px), `m` (32px) or `l` (40px); `--flock-avatar-size` overrides it. */
  @property({ reflect: true }) size: 's' | 'm' | 'l' = 'm';

  /** Show the current user last instead of first. */
  @property({ type: Boolean, attribute: 'self-last' }) selfLast = false;

  /** Seconds without input before this user shows as away. */
  @property({ type: Number, attribute: 'away-after' }) awayAfter = 120;

  /** Seconds someone who left stays shown. */
  @property({ type: Number }) grace = 10;

  @state() private people: readonly Person[] = [];
  @state() private focusIndex = 0;
  @state() private hovered: string | undefined;
  @state() private listOpen = false;
  @state() private activeOption = 0;
  @state() private news = '';
  readonly #failedImages = new Set<string>();
  // The list hangs from the "+N" button, the tooltip from the avatar under the pointer or focus.
  readonly #popovers = new AnchoredPopover(this, [
    { panel: '[part="list"]', trigger: '[part="overflow"]' },
    { panel: '[part="tooltip"]', trigger: '[part="group"] > [data-anchor]' },
  ]);

  readonly #presence = new PresenceController(this, {
    graceSeconds: () => this.grace,
    awayAfterSeconds: () => this.awayAfter,
    selfLast: () => this.selfLast,
    changed: (people) => {
      this.people = people;
      this.emit('flock-presence-change', { people });
    },
    arrivals: (joined, left) => {
      this.news = [this.#summary(joined, 'joined'), this.#summary(left, 'left')].filter(Boolean).join('. ');
    },
  });

  protected override render() {
    const people = orderPeople(this.people, this.selfLast);
    const shown = people.slice(0, Math.max(0, this.max));
    const hidden = people.length - shown.length;
    const tooltip = people.find((p) => p.id === this.hovered);
    return html`
      <div part="group" role="toolbar" aria-label=${msg('avatars.label')} @keydown=${this.#onGroupKey}>
        ${shown.map((person, i) => this.#renderAvatar(person, i))}
        ${hidden > 0
          ? html`<button
              part="overflow"
              type="button"
              tabindex=${this.focusIndex === shown.length ? 0 : -1}
              aria-haspopup="listbox"
              aria-expanded=${this.listOpen ? 'true' : 'false'}
              aria-label=${plural('avatars.more', hidden)}
              @click=${this.#toggleList}
            >
              +${hidden}
            </button>`
          : nothing}
      </div>
      ${tooltip && !this.listOpen
        ? html`<div part="tooltip" popover="manual" aria-hidden="true"><span class="name" dir="auto">${this.#name(tooltip)}</span><span class="status">${msg(`avatars.${tooltip.status}`)}</span></div>`
        : nothing}
      ${this.listOpen ? this.#renderList() : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${this.news}</div>
    `;
  }

  #renderAvatar(person: Person, index: number, inList = false) {
    const face = this.#face(person);
    if (inList) return face;
    return html`<button
      part=${['avatar', person.self ? 'self' : '', person.status === 'away' ? 'away' : ''].filter(Boolean).join(' ')}
      type="button"
      tabindex=${this.focusIndex === index ? 0 : -1}
      aria-label=${this.#describe(person)}
      ?data-anchor=${this.hovered === person.id}
      style=${`background:${person.color};color:${textOn(person.color)}`}
      @click=${() => this.#choose(person)}
      @focus=${() => this.#show(person.id, index)}
      @blur=${() => (this.hovered = undefined)}
      @pointerenter=${() => (this.hovered = person.id)}
      @pointerleave=${() => (this.hovered = undefined)}
    >
      ${face}
    </button>`;
  }

  #face(person: Person) {
    const url = person.avatar;
    if (isAvatarUrl(url) && !this.#failedImages.has(url)) {
      return html`<img src=${url} alt="" referrerpolicy="no-referrer" @error=${() => this.#imageFailed(url)} />`;
    }
    // Drawn by CSS from an attribute: the initials are decoration, the button's name says who it is.
    return html`<span class="initials" aria-hidden="true" data-initials=${initials(this.#clip(person.name))}></span>`;
  }

  #renderList() {
    return html`<ul
      part="list"
      popover="manual"
      role="listbox"
      tabindex="0"
      aria-label=${msg('avatars.everyone')}
      aria-activedescendant=${`person-${this.activeOption}`}
      @keydown=${this.#onListKey}
    >
      ${this.people.map(
        (person, i) => html`<li
          id=${`person-${i}`}
          part=${i === this.activeOption ? 'option active' : 'option'}
          role="option"
          aria-selected=${i === this.activeOption ? 'true' : 'false'}
          @click=${() => this.#choose(person)}
        >
          <span part=${person.status === 'away' ? 'avatar away' : 'avatar'} style=${`background:${person.color};color:${textOn(person.color)}`}>${this.#face(person)}</span>
          <span class="text">
            <span class="name" dir="auto">${this.#name(person)}</span>
            <span class="meta">${msg(`avatars.${person.status}`)} · ${msg('avatars.hereSince', { time: this.#time(person.since) })}</span>
          </span>
        </li>`,
      )}
    </ul>`;
  }

  /** "Ada" / "Ada (you)". */
  #name(person: Person): string {
    return person.self ? msg('avatars.you', { name: this.#clip(person.name) }) : this.#clip(person.name);
  }

  /** "Ada, away" / "Ada (you), active": the accessible name. */
  #describe(person: Person): string {
    return msg('avatars.person', { name: this.#name(person), status: msg(`avatars.${person.status}`) });
  }

  /** Names are bounded on the wire already; this keeps bidi overrides from leaking past them. */
  #clip(name: string): string {
    return name.replace(/[\u202A-\u202E\u2066-\u2069]/g, '').slice(0, WIRE_LIMITS.name);
  }

  #summary(people: readonly Person[], verb: 'joined' | 'left'): string {
    const names = people.map((p) => this.#clip(p.name));
    if (names.length === 0) return '';
    if (names.length === 1) return msg(`avatars.${verb}1`, { a: names[0]! });
    if (names.length === 2) return msg(`avatars.${verb}2`, { a: names[0]!, b: names[1]! });
    return plural(`avatars.${verb}Many`, names.length - 1, { a: names[0]! });
  }

  #time(at: number): string {
    return new Intl.DateTimeFormat(flockLocale(), { hour: 'numeric', minute: '2-digit' }).format(at);
  }

  #show(id: string, index: number): void {
    this.hovered = id;
    this.focusIndex = index;
  }

  #choose(person: Person): void {
    this.emit('flock-avatar-click', { person });
    if (this.listOpen) this.#closeList();
  }

  #imageFailed(url: string): void {
    this.#failedImages.add(url);
    this.requestUpdate();
  }

  readonly #toggleList = async () => {
    if (this.listOpen) return this.#closeList();
    this.listOpen = true;
    this.activeOption = 0;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[part="list"]')?.focus();
  };

  #closeList(): void {
    this.listOpen = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[part="overflow"]')?.focus());
  }

  /** Arrow keys move through the toolbar (mirrored right to left), Home and End jump. */
  readonly #onGroupKey = (event: KeyboardEvent) => {
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[part="group"] > button')];
    if (buttons.length === 0) return;
    const rtl = getComputedStyle(this).direction === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: 1, ArrowUp: -1 }[event.key];
    let next: number | undefined;
    if (step !== undefined) next = (this.focusIndex + step + buttons.length) % buttons.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = buttons.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    this.focusIndex = next;
    buttons[next]!.focus();
  };

  readonly #onListKey = (event: KeyboardEvent) => {
    const last = this.people.length - 1;
    const moves: Record<string, number> = { ArrowDown: Math.min(last, this.activeOption + 1), ArrowUp: Math.max(0, this.activeOption - 1), Home: 0, End: last };
    if (event.key in moves) {
      event.preventDefault();
      this.activeOption = moves[event.key]!;
      void this.updateComplete.then(() => this.renderRoot.querySelector(`#person-${this.activeOption}`)?.scrollIntoView({ block: 'nearest' }));
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const person = this.people[this.activeOption];
      if (person) this.#choose(person);
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      if (event.key === 'Escape') event.preventDefault();
      this.#closeList();
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'flock-avatars': FlockAvatars;
  }
  interface HTMLElementEventMap {
    'flock-presence-change': CustomEvent<FlockPresenceChangeDetail>;
    'flock-avatar-click': CustomEvent<FlockAvatarClickDetail>;
  }
}
