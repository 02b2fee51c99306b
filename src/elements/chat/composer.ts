import { html, nothing, type ReactiveControllerHost } from 'lit';
import { live } from 'lit/directives/live.js';
import { msg, plural } from '../../i18n/messages.js';
import { AnchoredPopover } from '../popover/anchored-popover.js';
import { codePoints, mentionKey, mentionQuery, mentionToken } from './message-text.js';

/** Someone who can be mentioned. */
export interface Mentionable {
  id: string;
  name: string;
  color: string;
}

export interface ComposerOptions {
  maxLength(): number;
  placeholder(): string;
  /** People present (not this user), for `@` suggestions. */
  people(): Mentionable[];
  /** Enter pressed with text within the limit. */
  submit(body: string): void;
  /** The user typed (for the typing indicator). */
  typed(): void;
  /** The composer lost focus or was emptied. */
  stopped(): void;
  /** Arrow Up in an empty composer: edit the last message. */
  editLast(): void;
}

const SUGGESTIONS = 6;
/** The counter appears once this share of the limit is used. */
const COUNTER_FROM = 0.8;

/**
 * The message composer: a labelled textarea where Enter sends and Shift+Enter is a new line,
 * a counter near the length limit (in code points, as the database's CHECK counts), and `@`
 * suggestions of the people present, as a listbox driven from the textarea (arrows, Enter or
 * Tab to pick, Escape to close; `aria-activedescendant` keeps focus in the text).
 */
export class Composer {
  value = '';
  #suggestions: Mentionable[] = [];
  #active = 0;
  #query: { start: number; query: string } | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: ComposerOptions,
  ) {
    new AnchoredPopover(host, [{ panel: '[part="suggestions"]', trigger: '[part="input"]' }]);
  }

  get length(): number {
    return codePoints(this.value);
  }

  get tooLong(): boolean {
    return this.length > this.options.maxLength();
  }

  /** Empties the composer (after a send) and closes suggestions. */
  clear(): void {
    this.value = '';
    this.#close();
  }

  focus(): void {
    this.#textarea()?.focus();
  }

  render(disabled: boolean) {
    const max = this.options.maxLength();
    const used = this.length;
    const showCounter = used >= max * COUNTER_FROM;
    const open = this.#suggestions.length > 0;
    return html`<div part="composer" class="composer">
      ${open
        ? html`<ul part="suggestions" id="suggestions" popover="manual" role="listbox" aria-label=${msg('chat.suggestions')}>
            ${this.#suggestions.map(
              (person, i) =>
                html`<li id=${`suggestion-${i}`} role="option" aria-selected=${i === this.#active ? 'true' : 'false'} @pointerdown=${(e: Event) => this.#pick(e, person)}>
                  <span class="swatch" style=${`background:${person.color}`} aria-hidden="true"></span>${person.name}
                </li>`,
            )}
          </ul>`
        : nothing}
      <textarea
        part="input"
        rows="1"
        aria-label=${msg('chat.composer')}
        aria-describedby="counter"
        aria-autocomplete="list"
        aria-controls=${open ? 'suggestions' : nothing}
        aria-activedescendant=${open ? `suggestion-${this.#active}` : nothing}
        aria-invalid=${this.tooLong ? 'true' : 'false'}
        placeholder=${this.options.placeholder()}
        ?disabled=${disabled}
        .value=${live(this.value)}
        @input=${this.#onInput}
        @keydown=${this.#onKeydown}
        @blur=${this.#onBlur}
      ></textarea>
      <span part="counter" id="counter" class=${showCounter ? (this.tooLong ? 'over' : '') : 'visually-hidden'}
        >${this.tooLong ? plural('chat.tooLong', used - max) : plural('chat.left', max - used)}</span
      >
      <button part="send" type="button" ?disabled=${disabled || this.tooLong || this.value.trim() === ''} @click=${this.#submit}>${msg('chat.send')}</button>
    </div>`;
  }

  #textarea(): HTMLTextAreaElement | null {
    return this.host.shadowRoot?.querySelector('textarea[part="input"]') ?? null;
  }

  readonly #onInput = (event: Event) => {
    const area = event.target as HTMLTextAreaElement;
    this.value = area.value;
    this.#suggest(area);
    if (this.value.trim() === '') this.options.stopped();
    else this.options.typed();
    this.host.requestUpdate();
  };

  readonly #onBlur = () => {
    this.options.stopped();
    if (this.#suggestions.length > 0) this.#close();
  };

  readonly #onKeydown = (event: KeyboardEvent) => {
    if (event.isComposing) return;
    const open = this.#suggestions.length > 0;
    if (open && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.#active = (this.#active + step + this.#suggestions.length) % this.#suggestions.length;
      this.host.requestUpdate();
    } else if (open && (event.key === 'Enter' || event.key === 'Tab')) {
      this.#pick(event, this.#suggestions[this.#active]!);
    } else if (open && event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.#close();
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this.#submit();
    } else if (event.key === 'ArrowUp' && this.value === '') {
      event.preventDefault();
      this.options.editLast();
    }
  };

  readonly #submit = () => {
    const body = this.value.trim();
    if (body === '' || this.tooLong) return;
    this.options.submit(body);
  };

  #suggest(area: HTMLTextAreaElement): void {
    this.#query = mentionQuery(area.value, area.selectionStart ?? area.value.length);
    if (!this.#query) return this.#close();
    const typed = mentionKey(this.#query.query);
    this.#suggestions = this.options
      .people()
      .filter((p) => mentionKey(p.name).startsWith(typed))
      .slice(0, SUGGESTIONS);
    this.#active = Math.min(this.#active, Math.max(0, this.#suggestions.length - 1));
  }

  #pick(event: Event, person: Mentionable): void {
    event.preventDefault();
    const area = this.#textarea();
    if (!this.#query || !area) return;
    const token = mentionToken(person.name) + ' ';
    const end = this.#query.start + 1 + this.#query.query.length;
    this.value = this.value.slice(0, this.#query.start) + token + this.value.slice(end);
    const caret = this.#query.start + token.length;
    this.#close();
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => {
      area.focus();
      area.setSelectionRange(caret, caret);
    });
  }

  #close(): void {
    this.#suggestions = [];
    this.#active = 0;
    this.#query = undefined;
    this.host.requestUpdate();
  }
}
