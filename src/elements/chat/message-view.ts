import { html, nothing } from 'lit';
import { flockLocale, msg } from '../../i18n/messages.js';
import { initials, textOn } from '../avatars/people.js';
import { textRuns } from './message-text.js';
import type { ChatMessage, TimelineRow } from './timeline.js';

/** What drawing a row needs from the element. */
export interface RowContext {
  me: string | undefined;
  myMentionKey: string | undefined;
  /** The message that holds the list's one tab stop. */
  activeId: string | undefined;
  editingId: string | undefined;
  confirmingId: string | undefined;
  readonly: boolean;
  colorOf(userId: string): string;
  /** "Seen by …" under this message, when it is the user's last. */
  seenBy(message: ChatMessage): string;
  edit(id: string): void;
  save(id: string, body: string): void;
  cancel(): void;
  askDelete(id: string): void;
  remove(id: string): void;
  retry(id: string): void;
  discard(id: string): void;
}

/** Longer bodies cannot be stored (the schema's CHECK); one that arrives anyway is cut, not drawn whole. */
const SHOWN_CHARS = 4000;

/**
 * Formatters by locale and options. Making one costs far more than using it, and a render
 * formats every visible message's time: they are made once.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function formatter<T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(kind: string, make: (locale: string) => T): T {
  const key = `${kind}|${flockLocale()}`;
  let made = formatters.get(key) as T | undefined;
  if (!made) formatters.set(key, (made = make(flockLocale())));
  return made;
}

export function dayLabel(date: Date, now = new Date()): string {
  const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((midnight(date) - midnight(now)) / 86_400_000);
  if (days === 0 || days === -1) return formatter('relative', (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' })).format(days, 'day');
  const sameYear = date.getFullYear() === now.getFullYear();
  return formatter(sameYear ? 'day' : 'day-year', (l) => new Intl.DateTimeFormat(l, { weekday: 'long', month: 'long', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) })).format(date);
}

function avatarStyle(color: string): string {
  return `background:${color};color:${textOn(color)}`;
}

function timeOf(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(Date.parse(iso.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')));
  return Number.isNaN(at.getTime()) ? '' : formatter('time', (l) => new Intl.DateTimeFormat(l, { timeStyle: 'short' })).format(at);
}

function body(message: ChatMessage, ctx: RowContext) {
  if (message.deletedAt) return html`<p part="body deleted">${msg('chat.deleted')}</p>`;
  const text = message.body.length > SHOWN_CHARS ? message.body.slice(0, SHOWN_CHARS) + '…' : message.body;
  return html`<p part="body" dir="auto">${textRuns(text).map((run) =>
    run.kind === 'link'
      ? html`<a part="link" href=${run.href} target="_blank" rel="noopener noreferrer">${run.text}</a>`
      : run.kind === 'mention'
        ? html`<mark part="mention" ?data-me=${run.key === ctx.myMentionKey}>${run.text}</mark>`
        : run.text,
  )}</p>`;
}

function editor(message: ChatMessage, ctx: RowContext) {
  const keydown = (event: KeyboardEvent) => {
    const area = event.target as HTMLTextAreaElement;
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      ctx.cancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ctx.save(message.id, area.value);
    }
  };
  return html`<textarea part="edit-input" class="edit" aria-label=${msg('chat.editLabel')} .value=${message.body} @keydown=${keydown}></textarea>
    <span class="hint">${msg('chat.editHint')}</span>`;
}

function actions(message: ChatMessage, ctx: RowContext) {
  const tab = message.id === ctx.activeId ? 0 : -1;
  if (message.state === 'failed') {
    return html`<span part="actions" class="actions shown">
      <button part="action retry" type="button" @click=${() => ctx.retry(message.id)}>${msg('chat.retry')}</button>
      <button part="action discard" type="button" @click=${() => ctx.discard(message.id)}>${msg('chat.discard')}</button>
    </span>`;
  }
  if (message.userId !== ctx.me || message.deletedAt || !message.createdAt || ctx.readonly) return nothing;
  if (ctx.confirmingId === message.id) {
    return html`<span part="actions" class="actions shown" role="group" aria-label=${msg('chat.confirmDelete')}>
      <span>${msg('chat.confirmDelete')}</span>
      <button part="action confirm-delete" type="button" @click=${() => ctx.remove(message.id)}>${msg('chat.delete')}</button>
      <button part="action cancel" type="button" @click=${() => ctx.cancel()}>${msg('chat.cancel')}</button>
    </span>`;
  }
  return html`<span part="actions" class="actions">
    <button part="action edit" type="button" tabindex=${tab} aria-label=${msg('chat.editOf', { author: message.authorName })} @click=${() => ctx.edit(message.id)}>${msg('chat.edit')}</button>
    <button part="action delete" type="button" tabindex=${tab} aria-label=${msg('chat.deleteOf', { author: message.authorName })} @click=${() => ctx.askDelete(message.id)}>${msg('chat.delete')}</button>
  </span>`;
}

function stateNote(message: ChatMessage) {
  if (message.state === 'pending') return html`<span part="state" class="pending">${msg('chat.pending')}</span>`;
  if (message.state === 'failed') return html`<span part="state" class="failed" role="alert">${msg('chat.failed', { reason: message.error ?? '' })}</span>`;
  if (message.editedAt && !message.deletedAt) return html`<span part="state">${msg('chat.edited')}</span>`;
  return nothing;
}

/** One row of the list: a day separator, the unread divider, or a message. */
export function renderRow(row: TimelineRow, ctx: RowContext) {
  if (row.kind === 'day') return html`<div part="day" class="day" role="separator" aria-label=${dayLabel(row.date)}><span>${dayLabel(row.date)}</span></div>`;
  if (row.kind === 'unread') return html`<div part="unread-divider" class="divider" role="separator" aria-label=${msg('chat.newMessages')}><span>${msg('chat.newMessages')}</span></div>`;
  const { message, first } = row;
  const mine = message.userId === ctx.me;
  const seen = mine ? ctx.seenBy(message) : '';
  return html`<div
    part="message"
    class=${first ? 'message first' : 'message'}
    role="article"
    aria-label=${msg('chat.messageFrom', { author: message.authorName, time: timeOf(message.createdAt) })}
    data-id=${message.id}
    data-state=${message.state}
    ?data-mine=${mine}
    tabindex=${message.id === ctx.activeId ? 0 : -1}
  >
    ${first
      ? html`<span part="avatar" class="avatar" aria-hidden="true" style=${avatarStyle(ctx.colorOf(message.userId))}>${initials(message.authorName)}</span>
          <span class="head"><span part="author" dir="auto">${message.authorName}</span> <time part="time" datetime=${message.createdAt ?? ''}>${timeOf(message.createdAt)}</time></span>`
      : nothing}
    ${ctx.editingId === message.id ? editor(message, ctx) : body(message, ctx)}
    <span class="foot">${stateNote(message)}${seen ? html`<span part="seen-by">${seen}</span>` : nothing}${actions(message, ctx)}</span>
  </div>`;
}
