import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { isSafeUrl } from '../../connection/wire.js';
import { flockLocale, msg, plural } from '../../i18n/messages.js';
import { initials } from '../avatars/people.js';
import { FlockElement } from '../base.js';
import { LIST } from '../live/live-list.js';
import { PopoverController } from '../popover/popover-controller.js';
import { popoverStyles } from '../popover/popover.styles.js';
import { tokens } from '../tokens.styles.js';
import { bellStyles } from './bell.styles.js';
import { InboxController, type FlockNotification } from './inbox-controller.js';

export interface FlockNotificationDetail {
  notification: FlockNotification;
}

export interface FlockNotificationsReadDetail {
  /** The ids marked read, or `all`. */
  ids: string[] | 'all';
}

/** Titles and bodies are bounded by the schema; shown text is cut shorter still. */
const TITLE_CHARS = 200;
const BODY_CHARS = 500;
const TOAST_MS = 5000;

/**
 * The current user's notifications: a bell with an unread badge that opens an inbox. Live over
 * the page's one connection (the user's own channel), private by row-level security, consistent
 * across tabs, and usable offline: reading and deleting apply at once and go through the outbox.
 *
 * @summary Notification bell and inbox, live, private and offline-safe.
 * @tagname flock-bell
 * @event flock-notification - A notification arrived live. detail: { notification }
 * @event flock-notification-click - A notification's link was followed; cancelable (call preventDefault to route yourself). detail: { notification }
 * @event flock-notifications-read - The user marked notifications read. detail: { ids: string[] | 'all' }
 * @csspart button - The bell button.
 * @csspart badge - The unread count (or dot).
 * @csspart panel - The inbox popover (in the top layer, attached to the bell).
 * @csspart filter - The All / Unread buttons.
 * @csspart item - Each notification (data-unread when unread).
 * @csspart actor - The actor's initials.
 * @csspart title - The title (a link when the notification has a safe URL).
 * @csspart body - The body text.
 * @csspart unread-marker - The unread dot.
 * @csspart action - Every button in the inbox but the filters; each also has its own part below.
 * @csspart toggle-read - Mark read / Mark unread, on a notification.
 * @csspart delete - Delete, on a notification.
 * @csspart mark-all - Mark all read.
 * @csspart more - Show older.
 * @csspart retry - Try again, when the inbox failed to load.
 * @csspart toast - The brief toast, with `toast`.
 * @cssproperty --flock-bell-size - The bell button's size. Default 2.25rem.
 * @cssproperty --flock-bell-badge - The badge colour. Default #b91c1c.
 * @cssproperty --flock-radius-panel - Corners of the inbox and the toast. Default 0.5em.
 * @cssproperty --flock-radius-button - Corners of the buttons in the inbox. Default 0.3em.
 * @cssproperty --flock-z-popover - Stacking order of the toast. Default 1000.
 */
export class FlockBell extends FlockElement {
  static override styles = [tokens, popoverStyles, bellStyles];

  /** Notifications loaded per page. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;

  /** A dot instead of the number. */
  @property({ type: Boolean, reflect: true }) dot = false;

  /** Show a brief toast when a notification arrives. */
  @property({ type: Boolean }) toast = false;

  /** Play a short sound when a notification arrives (off by default). */
  @property({ type: Boolean }) sound = false;

  /** Whether the inbox is open. */
  @property({ type: Boolean, reflect: true }) open = false;

  @state() private filter: 'all' | 'unread' = 'all';
  @state() private announcement = '';
  @state() private toastText = '';
  @state() private notice = '';
  readonly #disclosure = new PopoverController(this, { button: '[part="button"]', panel: '[part="panel"]' });
  #toastTimer: number | undefined;
  #pulseTimer: number | undefined;

  private readonly inbox = new InboxController(this, {
    pageSize: () => Math.max(1, Math.min(100, this.pageSize)),
    changed: () => this.requestUpdate(),
    arrived: (notification) => this.#alert(notification),
    refused: (reason) => {
      this.notice = msg('bell.refused', { reason });
      this.announcement = this.notice;
    },
  });

  /** Unread notifications (the server's count, kept live). */
  get unread(): number {
    return this.inbox.unread;
  }

  /** Notifications held, newest first. */
  get notifications(): readonly FlockNotification[] {
    return this.inbox.items;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearTimeout(this.#toastTimer);
    window.clearTimeout(this.#pulseTimer);
  }

  protected override render() {
    const unread = this.inbox.unread;
    const name = unread > 0 ? plural('bell.labelUnread', unread) : msg('bell.label');
    return html`
      <button part="button" type="button" aria-label=${name} aria-expanded=${this.open ? 'true' : 'false'} aria-haspopup="dialog" aria-controls="panel" @click=${this.#toggle}>
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" /><path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        ${unread > 0
          ? // Drawn from an attribute by CSS: the button's name already says the exact count.
            html`<span part="badge" aria-hidden="true" data-count=${this.dot ? '' : unread > 99 ? '99+' : String(unread)}></span>`
          : nothing}
      </button>
      ${this.open ? this.#renderPanel() : nothing}
      ${this.toastText ? html`<div part="toast" aria-hidden="true">${this.toastText}</div>` : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  #renderPanel() {
    const items = this.filter === 'unread' ? this.inbox.items.filter((n) => n.readAt === null) : this.inbox.items;
    return html`<div part="panel" id="panel" popover="manual" role="dialog" aria-label=${msg('bell.label')} tabindex="-1" @keydown=${this.#disclosure.onKeydown}>
      <header>
        <button part="filter" type="button" aria-pressed=${this.filter === 'all' ? 'true' : 'false'} @click=${() => (this.filter = 'all')}>${msg('bell.all')}</button>
        <button part="filter" type="button" aria-pressed=${this.filter === 'unread' ? 'true' : 'false'} @click=${() => (this.filter = 'unread')}>${msg('bell.unread')}</button>
        <span class="spacer"></span>
        <button part="action mark-all" type="button" ?disabled=${this.inbox.unread === 0} @click=${this.#markAllRead}>${msg('bell.markAllRead')}</button>
      </header>
      ${this.notice ? html`<p class="state" role="alert">${this.notice}</p>` : nothing}
      ${this.inbox.list.loading
        ? html`<p class="state">${msg('bell.loading')}</p>`
        : this.inbox.list.status === LIST.error
          ? html`<p class="state">${msg('bell.error')} <button part="action retry" type="button" @click=${() => void this.inbox.list.reload()}>${msg('bell.retry')}</button></p>`
          : items.length === 0
            ? html`<p class="state">${this.filter === 'unread' ? msg('bell.emptyUnread') : msg('bell.empty')}</p>`
            : html`<ul aria-label=${msg('bell.label')}>${items.map((n) => this.#renderItem(n))}</ul>`}
      ${this.inbox.list.hasOlder && this.filter === 'all' ? html`<p class="state"><button part="action more" type="button" @click=${() => void this.inbox.list.older()}>${msg('bell.more')}</button></p>` : nothing}
    </div>`;
  }

  #renderItem(n: FlockNotification) {
    const title = n.title.slice(0, TITLE_CHARS);
    // Only http(s) or same-origin paths become links; anything else stays text.
    const link = isSafeUrl(n.url) ? n.url : undefined;
    return html`<li part="item" ?data-unread=${n.readAt === null}>
      <span part="actor" aria-hidden="true">${initials(n.actorName ?? n.kind)}</span>
      <span part="title">${link ? html`<a href=${link} @click=${(e: MouseEvent) => this.#follow(e, n)}>${title}</a>` : title}</span>
      ${n.body ? html`<span part="body">${n.body.slice(0, BODY_CHARS)}</span>` : nothing}
      <span class="meta">
        ${n.readAt === null ? html`<span part="unread-marker"></span><span class="visually-hidden">${msg('bell.unreadMarker')}</span>` : nothing}
        <time datetime=${n.createdAt}>${this.#ago(n.createdAt)}</time>
        <button part="action toggle-read" type="button" @click=${() => this.#toggleRead(n)}>${n.readAt === null ? msg('bell.markRead') : msg('bell.markUnread')}</button>
        <button part="action delete" type="button" @click=${() => void this.inbox.remove(n.id)}>${msg('bell.delete')}</button>
      </span>
    </li>`;
  }

  #ago(iso: string): string {
    const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
    const format = new Intl.RelativeTimeFormat(flockLocale(), { numeric: 'auto' });
    const abs = Math.abs(seconds);
    if (abs < 60) return format.format(seconds, 'second');
    if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
    if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
    return format.format(Math.round(seconds / 86_400), 'day');
  }

  #toggleRead(n: FlockNotification): void {
    const read = n.readAt === null;
    void this.inbox.markRead(n.id, read);
    if (read) this.emit('flock-notifications-read', { ids: [n.id] });
  }

  readonly #markAllRead = () => {
    void this.inbox.markAllRead();
    this.emit('flock-notifications-read', { ids: 'all' });
  };

  #follow(event: MouseEvent, notification: FlockNotification): void {
    const routed = !this.dispatchEvent(new CustomEvent('flock-notification-click', { detail: { notification }, bubbles: true, composed: true, cancelable: true }));
    if (routed) event.preventDefault();
    if (notification.readAt === null) void this.inbox.markRead(notification.id, true);
  }

  #alert(notification: FlockNotification): void {
    const title = notification.title.slice(0, TITLE_CHARS);
    this.announcement = msg('bell.new', { title });
    this.emit('flock-notification', { notification });
    this.setAttribute('pulsing', '');
    window.clearTimeout(this.#pulseTimer);
    this.#pulseTimer = window.setTimeout(() => this.removeAttribute('pulsing'), 2000);
    if (this.toast) {
      this.toastText = title;
      window.clearTimeout(this.#toastTimer);
      this.#toastTimer = window.setTimeout(() => (this.toastText = ''), TOAST_MS);
    }
    if (this.sound) this.#chime();
  }

  /** A short, quiet tone; only when the page asked for sound. */
  #chime(): void {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      gain.gain.setValueAtTime(0.05, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      tone.frequency.value = 880;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
      tone.onended = () => void audio.close();
    } catch {
      // No audio (autoplay policy, no device): the visual and spoken alerts remain.
    }
  }

  readonly #toggle = () => {
    this.open = !this.open;
    this.notice = '';
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'flock-bell': FlockBell;
  }
  interface HTMLElementEventMap {
    'flock-notification': CustomEvent<FlockNotificationDetail>;
    'flock-notification-click': CustomEvent<FlockNotificationDetail>;
    'flock-notifications-read': CustomEvent<FlockNotificationsReadDetail>;
  }
}
