import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ConnectionState, QueuedWrite, Room } from '../../connection/types.js';
import { flockLocale, msg, plural } from '../../i18n/messages.js';
import { FlockElement } from '../base.js';
import { PopoverController } from '../popover/popover-controller.js';
import { popoverStyles } from '../popover/popover.styles.js';
import { onAbort } from '../room-controller.js';
import { tokens } from '../tokens.styles.js';
import type { FlockStatusChangeDetail } from '../room/room.js';
import { statusStyles } from './status.styles.js';

/**
 * A compact indicator of the page's one shared connection: a dot and a short label
 * (`Connected · 42 ms`, `Reconnecting in 4 s…`, `Offline · 3 queued`). Shape and text carry
 * the state as well as colour. Clicking it (or Enter/Space) opens the details: status,
 * latency, quality, last connected, reconnect attempt and next try with **Retry now**, queued
 * writes with refused ones listed (each retryable or discardable), and dropped messages.
 * The host carries `status`, `quality` and `has-writes` attributes for page styles.
 *
 * @summary The connection indicator, with honest details and a Retry now button.
 * @tagname flock-status
 * @event flock-status-change - The status or quality grade changed. detail: { state: ConnectionState }
 * @csspart button - The indicator button (dot and label).
 * @csspart dot - The state dot; its shape follows the state too.
 * @csspart label - The short label (visually hidden with `compact`).
 * @csspart details - The details popover (in the top layer, attached to the button).
 * @csspart retry - The Retry now button.
 * @csspart write - Each refused write in the details.
 * @csspart write-error - The server's reason for a refused write.
 * @csspart action - Every button in the details; each also has its own part below.
 * @csspart retry-write - Retry, on a refused write.
 * @csspart discard-write - Discard, on a refused write.
 * @csspart close - The Close button.
 * @cssproperty --flock-status-dot-size - Size of the dot. Default 0.7em.
 * @cssproperty --flock-color-success - The dot when connected with excellent or good quality.
 * @cssproperty --flock-color-warning - The dot on a fair connection, and its dashed ring while reconnecting.
 * @cssproperty --flock-color-danger - The dot on a poor connection and offline; a refused write's reason.
 * @cssproperty --flock-color-muted - The dot's ring while connecting; secondary text in the details.
 * @cssproperty --flock-radius - Corners of the indicator button. Default 999px (a pill).
 * @cssproperty --flock-radius-panel - Corners of the details popover. Default 0.5em.
 * @cssproperty --flock-radius-button - Corners of the buttons in the details. Default 0.3em.
 */
export class FlockStatus extends FlockElement {
  static override styles = [tokens, popoverStyles, statusStyles];

  /** Dot only; the label stays in the accessible name and the tooltip. */
  @property({ type: Boolean, reflect: true }) compact = false;

  /** Hides the indicator while connected with nothing queued or refused. */
  @property({ type: Boolean, reflect: true, attribute: 'hide-when-connected' }) hideWhenConnected = false;

  /** Whether the details are open. */
  @property({ type: Boolean, reflect: true }) open = false;

  @state() private snapshot: ConnectionState | undefined;
  @state() private writes: readonly QueuedWrite[] = [];
  @state() private now = Date.now();
  @state() private announcement = '';
  readonly #disclosure = new PopoverController(this, { button: '[part="button"]', panel: '[part="details"]' });
  #ticker: number | undefined;
  #lastFired: string | undefined;

  protected override watchRoom(room: Room, signal: AbortSignal): void {
    room.addEventListener('status', () => this.#update$(room), { signal });
    room.addEventListener('writes', () => (this.writes = room.writes), { signal });
    this.snapshot = room.connection;
    this.writes = room.writes;
    this.#lastFired = this.#key(room.connection);
    onAbort(signal, () => {
      this.snapshot = undefined;
      this.#stopTicker();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopTicker();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open && this.room) {
      this.snapshot = this.room.connection;
      this.now = Date.now();
    }
    const state = this.snapshot;
    this.toggleAttribute('status', !!state);
    if (state) this.setAttribute('status', state.status);
    if (state?.quality) this.setAttribute('quality', state.quality);
    else this.removeAttribute('quality');
    this.toggleAttribute('has-writes', this.writes.length > 0);
    // A countdown ticks only while there is one to show.
    if (state?.nextRetryAt !== undefined && state.status !== 'connected') this.#startTicker();
    else this.#stopTicker();
  }

  protected override render() {
    const state = this.snapshot;
    const label = state ? this.#label(state) : msg('status.connecting');
    const name = state?.quality && state.status === 'connected' ? msg('status.nameQuality', { label, quality: msg(`quality.${state.quality}`) }) : msg('status.name', { label });
    return html`
      <button part="button" type="button" aria-expanded=${this.open ? 'true' : 'false'} aria-controls="details" aria-label=${name} title=${this.compact ? name : nothing} @click=${this.#toggle}>
        <span part="dot" aria-hidden="true"></span>
        <span part="label" class=${this.compact ? 'visually-hidden' : ''}>${label}</span>
      </button>
      ${this.open
        ? html`<div part="details" id="details" popover="manual" role="dialog" aria-label=${msg('status.details')} tabindex="-1" @keydown=${this.#disclosure.onKeydown}>
            ${state ? this.#renderDetails(state) : nothing}
          </div>`
        : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  #renderDetails(state: ConnectionState) {
    const failed = this.writes.filter((w) => w.state === 'failed');
    const waiting = state.status !== 'connected' && state.nextRetryAt !== undefined;
    return html`
      <dl>
        <dt>${msg('status.field.status')}</dt>
        <dd>${this.#label(state)}</dd>
        <dt>${msg('status.field.latency')}</dt>
        <dd>${state.latency === undefined ? msg('status.unknown') : msg('status.latencyValue', { latency: state.latency })}</dd>
        <dt>${msg('status.field.quality')}</dt>
        <dd>${state.quality ? msg(`quality.${state.quality}`) : msg('status.unknown')}</dd>
        <dt>${msg('status.field.lastConnected')}</dt>
        <dd>${state.lastConnectedAt === undefined ? msg('status.never') : this.#ago(state.lastConnectedAt)}</dd>
        ${state.status === 'connected'
          ? nothing
          : html`<dt>${msg('status.field.attempt')}</dt>
              <dd>${state.attempt}</dd>
              <dt>${msg('status.field.nextTry')}</dt>
              <dd>${waiting ? msg('status.inSeconds', { seconds: this.#secondsLeft(state) }) : msg('status.unknown')}</dd>`}
        <dt>${msg('status.field.queued')}</dt>
        <dd>${state.queued}</dd>
        <dt>${msg('status.field.failed')}</dt>
        <dd>${state.failed}</dd>
        <dt>${msg('status.field.dropped')}</dt>
        <dd>${state.dropped}</dd>
      </dl>
      ${failed.length === 0
        ? nothing
        : html`<ul aria-label=${msg('status.field.failed')}>
            ${failed.map(
              (write) => html`<li part="write">
                <span part="write-error">${msg('status.writeRefused', { label: write.payload.label ?? write.kind, reason: write.error ?? '' })}</span>
                <button part="action retry-write" type="button" @click=${() => void this.room?.retryWrite(write.key)}>${msg('status.retryWrite')}</button>
                <button part="action discard-write" type="button" @click=${() => void this.room?.discardWrite(write.key)}>${msg('status.discardWrite')}</button>
              </li>`,
            )}
          </ul>`}
      <div class="actions">
        ${state.status === 'connected' ? nothing : html`<button part="action retry" type="button" @click=${this.#retryNow}>${msg('status.retryNow')}</button>`}
        <button part="action close" type="button" @click=${this.#close}>${msg('status.close')}</button>
      </div>
    `;
  }

  /** The short label: what the state is, with the one figure that matters in it. */
  #label(state: ConnectionState): string {
    switch (state.status) {
      case 'connecting':
        return msg('status.connecting');
      case 'connected':
        return state.latency === undefined ? msg('status.connected') : msg('status.connectedLatency', { latency: state.latency });
      case 'reconnecting':
        return state.nextRetryAt === undefined ? msg('status.reconnecting') : msg('status.reconnectingIn', { seconds: this.#secondsLeft(state) });
      case 'offline':
        return state.queued > 0 ? plural('status.offlineQueued', state.queued) : msg('status.offline');
    }
  }

  #secondsLeft(state: ConnectionState): number {
    return Math.max(0, Math.ceil(((state.nextRetryAt ?? this.now) - this.now) / 1000));
  }

  #ago(at: number): string {
    const seconds = Math.round((at - this.now) / 1000);
    const format = new Intl.RelativeTimeFormat(flockLocale(), { numeric: 'auto' });
    if (Math.abs(seconds) < 60) return format.format(seconds, 'second');
    if (Math.abs(seconds) < 3600) return format.format(Math.round(seconds / 60), 'minute');
    return format.format(Math.round(seconds / 3600), 'hour');
  }

  #update$(room: Room): void {
    const state = room.connection;
    // Closed, it shows only the label and the state attributes: a change to a figure only the
    // details show (dropped messages, under a flood) would re-render it for nothing. Opening
    // reads the current state (willUpdate).
    if (this.open || !this.snapshot || this.#shown(state) !== this.#shown(this.snapshot)) {
      this.snapshot = state;
      this.now = Date.now();
    }
    const key = this.#key(state);
    if (key === this.#lastFired) return;
    const statusChanged = this.#lastFired?.split('|')[0] !== state.status;
    this.#lastFired = key;
    // Announced when the state changes, not on every latency figure or countdown tick.
    if (statusChanged) this.announcement = msg('status.announce', { label: this.#label(state) });
    this.emit('flock-status-change', { state } satisfies FlockStatusChangeDetail);
  }

  #key(state: ConnectionState): string {
    return `${state.status}|${state.quality ?? ''}`;
  }

  /** What the closed button shows of `state`: its label's figures and the state attributes. */
  #shown(state: ConnectionState): string {
    return `${this.#key(state)}|${state.latency}|${state.nextRetryAt}|${state.queued}`;
  }

  #startTicker(): void {
    this.#ticker ??= window.setInterval(() => (this.now = Date.now()), 1000);
  }

  #stopTicker(): void {
    if (this.#ticker !== undefined) window.clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  readonly #toggle = () => {
    this.open = !this.open;
  };

  readonly #close = () => this.#disclosure.close();

  readonly #retryNow = () => {
    this.room?.retryNow();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'flock-status': FlockStatus;
  }
}
