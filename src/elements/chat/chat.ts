// Over 300 lines on purpose: this is <flock-chat>'s public surface (the JSDoc the custom elements
// manifest is generated from: 33 parts, 3 events, its properties and methods) and the glue between
// its helpers, which each have a file: history and drafts (chat-controller.ts), scrolling
// (list-scroll.ts), the composer, receipts, typing, rows (message-view.ts) and the keyboard map of
// the log below. Splitting the glue would pass the element's private state between files.
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { colorFor } from '../../connection/palette.js';
import type { Room } from '../../connection/types.js';
import { flockLocale, messagesVersion, msg, plural } from '../../i18n/messages.js';
import { FlockElement } from '../base.js';
import { LIST } from '../live/live-list.js';
import { onAbort } from '../room-controller.js';
import { tokens } from '../tokens.styles.js';
import { chatStyles } from './chat.styles.js';
import { ChatController } from './chat-controller.js';
import { Composer, type Mentionable } from './composer.js';
import { ListScroll } from './list-scroll.js';
import { codePoints, mentionKey } from './message-text.js';
import { renderRow, type RowContext } from './message-view.js';
import { ReadsTracker } from './reads.js';
import { timeKey, timeline, type ChatMessage, type TimelineRow } from './timeline.js';
import { TypingTracker } from './typing.js';

export interface FlockMessageDetail {
  message: ChatMessage;
}

export interface FlockMessageFailedDetail {
  message: ChatMessage;
  /** The server's reason. */
  reason: string;
}

/** The schema's CHECK: a body is at most this many characters. */
const SCHEMA_MAX = 4000;

/**
 * A chat panel for the room: history from Postgres, live over the page's one connection,
 * optimistic sending that survives going offline and reloading, edits and deletes of your own
 * messages, typing indicators, read receipts with an unread divider, and `@` mentions that
 * notify (through the database). Bodies are text, never HTML; only http(s) URLs become links.
 *
 * @summary Durable, live chat with typing, receipts, mentions and an offline outbox.
 * @tagname flock-chat
 * @event flock-message - A message from someone else arrived live. detail: { message }
 * @event flock-message-send - This user sent a message (shown at once as pending). detail: { message }
 * @event flock-message-failed - The server refused one of this user's messages. detail: { message, reason }
 * @csspart list - The scrolling message log.
 * @csspart message - Each message (data-state pending|sent|failed, data-mine).
 * @csspart avatar - The author's initials at the start of a group.
 * @csspart author - The author's name.
 * @csspart time - The time sent.
 * @csspart body - The text.
 * @csspart deleted - The "message deleted" note that replaces a deleted message's text (with `body`).
 * @csspart link - A link in a message.
 * @csspart mention - An @mention (data-me when it names this user).
 * @csspart state - "Sending…", "Not sent", "edited".
 * @csspart seen-by - "Seen by …" under your last message.
 * @csspart actions - A message's buttons.
 * @csspart action - Every button on a message or notice; each also has its own part below.
 * @csspart edit - Edit, on your own message.
 * @csspart delete - Delete, on your own message.
 * @csspart confirm-delete - Delete, in the confirmation that follows.
 * @csspart cancel - Cancel, in that confirmation.
 * @csspart retry - Try again, on a message the server refused.
 * @csspart discard - Discard, on a message that is pending or refused.
 * @csspart retry-load - Try again, when the history failed to load.
 * @csspart dismiss - Closes the error notice.
 * @csspart edit-input - The text box that edits a message in place.
 * @csspart day - A day separator.
 * @csspart unread-divider - The "New messages" divider.
 * @csspart jump - The jump-to-latest button.
 * @csspart typing - Who is typing.
 * @csspart composer - The composer row.
 * @csspart input - The composer's text box.
 * @csspart counter - Characters left, shown near the limit.
 * @csspart send - The Send button.
 * @csspart suggestions - The list of people an `@` mention can name.
 * @csspart notice - An error notice (a refused edit…).
 * @csspart readonly-note - What replaces the composer with `readonly`, or for visitors who cannot write.
 * @cssproperty --flock-chat-height - The panel's height. Default 28rem.
 * @cssproperty --flock-chat-mine - Background of your own messages.
 * @cssproperty --flock-chat-mention - Background of a mention of you.
 * @cssproperty --flock-color-accent - The Send button. Default #1d4ed8.
 * @cssproperty --flock-radius - Corners of the panel. Default 0.5rem.
 */
export class FlockChat extends FlockElement {
  static override styles = [tokens, chatStyles];

  /** Messages loaded per page of history. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 50;

  /** The composer's placeholder. */
  @property() placeholder = '';

  /** Show the conversation without a composer (visitors, who cannot write, always get this). */
  @property({ type: Boolean, reflect: true }) readonly = false;

  /** Longest message, in characters (at most the schema's 4000). */
  @property({ type: Number, attribute: 'max-length' }) maxLength = SCHEMA_MAX;

  @state() private activeId: string | undefined;
  @state() private editingId: string | undefined;
  @state() private confirmingId: string | undefined;
  @state() private notice = '';
  @state() private unreadFrom: string | undefined;
  @state() private newCount = 0;
  #dividerPlaced = false;
  #focusAfterUpdate: string | undefined;

  readonly #chat = new ChatController(this, {
    pageSize: () => Math.max(1, Math.min(200, Math.floor(this.pageSize) || 50)),
    changed: () => this.requestUpdate(),
    arrived: (message) => {
      if (!this.#scroller.following || document.visibilityState !== 'visible') {
        this.newCount++;
        this.unreadFrom ??= message.id;
      }
      this.emit('flock-message', { message });
    },
    failed: (message, reason) => this.emit('flock-message-failed', { message, reason }),
    refused: (reason, message) => {
      this.notice = message && message.userId !== this.room?.user?.id ? msg('chat.notYours') : msg('chat.refused', { reason });
    },
  });
  readonly #scroller = new ListScroll(
    {
      list: () => this.renderRoot.querySelector<HTMLElement>('[part="list"]'),
      requestUpdate: () => this.requestUpdate(),
      reachedBottom: () => {
        this.newCount = 0;
        this.#markRead();
      },
    },
    this.#chat,
  );
  readonly #reads = new ReadsTracker(this, () => this.requestUpdate());
  readonly #typing = new TypingTracker(this, () => this.requestUpdate());
  readonly #composer = new Composer(this, {
    maxLength: () => Math.max(1, Math.min(SCHEMA_MAX, Math.floor(this.maxLength) || SCHEMA_MAX)),
    placeholder: () => this.placeholder || msg('chat.placeholder'),
    people: () => this.#people().filter((p) => p.id !== this.room?.user?.id),
    submit: (body) => {
      this.#composer.clear();
      void this.send(body);
    },
    typed: () => this.#typing.keystroke(),
    stopped: () => this.#typing.stop(),
    editLast: () => {
      const mine = this.#lastOwn();
      if (mine) this.#startEdit(mine.id);
    },
  });

  /** The messages held, oldest first (unsent ones last). */
  get messages(): readonly ChatMessage[] {
    return this.#chat.messages;
  }

  /** Sends a message as this user; it shows at once as pending. */
  async send(body: string): Promise<ChatMessage | undefined> {
    const text = body.trim();
    if (!text || this.#isReadonly) return undefined;
    this.#typing.stop();
    this.unreadFrom = undefined;
    this.newCount = 0;
    this.#scroller.latest();
    const message = await this.#chat.drafts.send(text);
    if (message) this.emit('flock-message-send', { message });
    return message;
  }

  /** Edits one of this user's messages (RLS refuses anyone else's: the notice says so). */
  editMessage(id: string, body: string): Promise<void> {
    return this.#chat.drafts.edit(id, body.trim());
  }

  /** Deletes one of this user's messages; an unsent one is discarded. */
  deleteMessage(id: string): Promise<void> {
    return this.#chat.drafts.remove(id);
  }

  /** Sends a failed message again. */
  retryMessage(id: string): Promise<void> {
    return this.#chat.drafts.retry(id);
  }

  /** Drops a pending or failed message for good. */
  discardMessage(id: string): Promise<void> {
    return this.#chat.drafts.discard(id);
  }

  protected override watchRoom(room: Room, signal: AbortSignal): void {
    room.addEventListener('presence', () => this.requestUpdate(), { signal });
    document.addEventListener('visibilitychange', this.#markRead, { signal });
    onAbort(signal, () => {
      this.#dividerPlaced = false;
      this.unreadFrom = undefined;
      this.#scroller.latest();
    });
  }

  get #isReadonly(): boolean {
    return this.readonly || this.room?.user?.kind === 'visitor';
  }

  protected override willUpdate(_changed: PropertyValues): void {
    this.#scroller.beforeUpdate();
    if (!this.#dividerPlaced && this.#chat.history.loaded && this.#reads.loaded) {
      this.#dividerPlaced = true;
      const since = this.#reads.openedAt ? timeKey(this.#reads.openedAt) : undefined;
      const me = this.room?.user?.id;
      this.unreadFrom = since ? this.#chat.messages.find((m) => m.userId !== me && m.createdAt && timeKey(m.createdAt) > since)?.id : undefined;
    }
  }

  protected override updated(): void {
    this.#scroller.afterUpdate();
    if (this.#focusAfterUpdate) {
      this.renderRoot.querySelector<HTMLElement>(this.#focusAfterUpdate)?.focus();
      this.#focusAfterUpdate = undefined;
    }
    this.#markRead();
  }

  protected override render() {
    const messages = this.#chat.messages;
    const [start, end] = this.#scroller.range(messages);
    const shown = messages.slice(start, end);
    // Each window starts with its day and author, whatever precedes it: loading older history
    // then changes nothing above the reader, even at scroll position 0 where that can't be undone.
    const rows = timeline(shown, this.unreadFrom);
    const ctx = this.#rowContext();
    const { history } = this.#chat;
    const busy = history.loadingOlder || history.loading;
    return html`
      <div part="list" class="list" role="log" aria-live="polite" aria-relevant="additions" aria-label=${msg('chat.label')} aria-busy=${busy ? 'true' : 'false'} @scroll=${this.#scroller.onScroll} @keydown=${this.#onListKeydown} @focusin=${this.#onFocusIn}>
        ${this.#listState(messages.length, start)} ${repeat(rows, (row) => row.key, (row) => guard(this.#rowDeps(row, ctx), () => renderRow(row, ctx)))}
      </div>
      ${!this.#scroller.following || this.newCount > 0
        ? html`<button part="jump" type="button" class="jump" @click=${this.#jump}>${this.newCount > 0 ? plural('chat.newCount', this.newCount) : msg('chat.jump')}</button>`
        : nothing}
      <p part="typing" class="typing">${this.#typing.label((id) => this.#nameOf(id))}</p>
      ${this.notice
        ? html`<p part="notice" class="notice" role="alert">${this.notice} <button part="action dismiss" type="button" @click=${() => (this.notice = '')}>${msg('chat.dismiss')}</button></p>`
        : nothing}
      ${this.#isReadonly ? html`<p part="readonly-note" class="readonly-note">${this.room?.user?.kind === 'visitor' ? msg('chat.signIn') : msg('chat.readonly')}</p>` : this.#composer.render(!this.room?.user)}
    `;
  }

  #listState(count: number, start: number) {
    const { history } = this.#chat;
    if (history.loading) return html`<p class="state">${msg('chat.loading')}</p>`;
    if (history.status === LIST.error) {
      if (this.room?.user?.kind === 'visitor') return html`<p class="state">${msg('chat.signIn')}</p>`;
      return html`<p class="state">${msg('chat.error')} <button part="action retry-load" type="button" @click=${() => void history.reload()}>${msg('chat.tryAgain')}</button></p>`;
    }
    if (count === 0) return html`<p class="state">${msg('chat.empty')}</p>`;
    if (history.loadingOlder) return html`<p class="state">${msg('chat.loadingOlder')}</p>`;
    if (start === 0 && !history.hasOlder) return html`<p class="state start">${msg('chat.start')}</p>`;
    return nothing;
  }

  #rowContext(): RowContext {
    const me = this.room?.user;
    const lastMine = this.#lastOwn();
    const seen = lastMine ? this.#seenLine(lastMine) : '';
    return {
      me: me?.id,
      myMentionKey: me ? mentionKey(me.name) : undefined,
      activeId: this.activeId ?? this.#chat.messages.at(-1)?.id,
      editingId: this.editingId,
      confirmingId: this.confirmingId,
      readonly: this.#isReadonly,
      colorOf: (id) => (id === me?.id ? me.color : (this.room?.presence.get(id)?.[0]?.color ?? colorFor(id))),
      seenBy: (message) => (message === lastMine ? seen : ''),
      edit: (id) => this.#startEdit(id),
      save: (id, body) => this.#saveEdit(id, body),
      cancel: () => {
        const id = this.editingId ?? this.confirmingId;
        this.editingId = this.confirmingId = undefined;
        if (id) this.#focusAfterUpdate = `[data-id="${CSS.escape(id)}"]`;
      },
      askDelete: (id) => {
        this.confirmingId = id;
        this.#focusAfterUpdate = '[part~="cancel"]';
      },
      remove: (id) => {
        this.confirmingId = undefined;
        this.#focusAfterUpdate = `[data-id="${CSS.escape(id)}"]`;
        void this.#chat.drafts.remove(id);
      },
      retry: (id) => void this.#chat.drafts.retry(id),
      discard: (id) => void this.#chat.drafts.discard(id),
    };
  }

  /**
   * What a row's drawing depends on: a message arriving redraws only the rows it changes, not
   * the whole window (each row cuts its text into runs and formats its time).
   */
  #rowDeps(row: TimelineRow, ctx: RowContext): unknown[] {
    if (row.kind !== 'message') return [row.kind, row.key, messagesVersion()];
    const { message, first } = row;
    const id = message.id;
    return [message, first, ctx.activeId === id, ctx.editingId === id, ctx.confirmingId === id, ctx.readonly, ctx.me, ctx.myMentionKey, first ? ctx.colorOf(message.userId) : '', ctx.seenBy(message), messagesVersion()];
  }

  #seenLine(message: ChatMessage): string {
    const ids = this.#reads.seenBy(message, this.room?.user?.id);
    if (ids.length === 0) return '';
    const names = ids.map((id) => this.#nameOf(id, ''));
    if (ids.length <= 3 && names.every(Boolean)) return msg('chat.seenBy', { names: new Intl.ListFormat(flockLocale(), { type: 'conjunction' }).format(names) });
    return plural('chat.seenByCount', ids.length);
  }

  #startEdit(id: string): void {
    this.editingId = id;
    this.confirmingId = undefined;
    this.#focusAfterUpdate = '[part~="edit-input"]';
  }

  #saveEdit(id: string, body: string): void {
    const text = body.trim();
    const held = this.#chat.messages.find((m) => m.id === id);
    this.editingId = undefined;
    this.#focusAfterUpdate = `[data-id="${CSS.escape(id)}"]`;
    if (!held || text === held.body) return;
    if (!text) return void (this.confirmingId = id);
    const length = codePoints(text);
    if (length > SCHEMA_MAX) return void (this.notice = plural('chat.tooLong', length - SCHEMA_MAX));
    void this.#chat.drafts.edit(id, text);
  }

  /** This user's newest message that is sent and not deleted: the one ↑ edits and "Seen by" marks. */
  #lastOwn(): ChatMessage | undefined {
    const me = this.room?.user?.id;
    return this.#chat.messages.findLast((m) => m.userId === me && m.state === 'sent' && !m.deletedAt);
  }

  /** People present, one per user. */
  #people(): Mentionable[] {
    return [...(this.room?.presence.values() ?? [])].flatMap((metas) => (metas[0] ? [{ id: metas[0].id, name: metas[0].name, color: metas[0].color }] : []));
  }

  #nameOf(id: string, fallback = msg('chat.someone')): string {
    return this.room?.presence.get(id)?.[0]?.name ?? this.#chat.messages.findLast((m) => m.userId === id)?.authorName ?? fallback;
  }

  readonly #markRead = () => {
    if (!this.#scroller.following || document.visibilityState !== 'visible' || !this.#scroller.atBottom()) return;
    this.#reads.read(this.#chat.messages.findLast((m) => m.createdAt && m.state === 'sent'));
  };

  readonly #jump = () => {
    this.newCount = 0;
    this.#scroller.latest();
  };

  readonly #onFocusIn = (event: FocusEvent) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[part~="message"]');
    if (item?.dataset.id && item.dataset.id !== this.activeId) this.activeId = item.dataset.id;
  };

  /** Arrow keys, Home and End move between messages (one tab stop for the whole list). */
  readonly #onListKeydown = (event: KeyboardEvent) => {
    if ((event.target as HTMLElement).matches('textarea, button')) return;
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>('[part~="message"]')];
    const at = items.findIndex((item) => item.dataset.id === this.activeId);
    const index = at < 0 ? items.length - 1 : at;
    const next = { ArrowUp: index - 1, ArrowDown: index + 1, Home: 0, End: items.length - 1 }[event.key];
    if (next === undefined) {
      if (event.key === 'Escape') this.#composer.focus();
      return;
    }
    event.preventDefault();
    const target = items[Math.max(0, Math.min(items.length - 1, next))];
    if (!target) return;
    this.activeId = target.dataset.id;
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'flock-chat': FlockChat;
  }
  interface HTMLElementEventMap {
    'flock-message': CustomEvent<FlockMessageDetail>;
    'flock-message-send': CustomEvent<FlockMessageDetail>;
    'flock-message-failed': CustomEvent<FlockMessageFailedDetail>;
  }
}
