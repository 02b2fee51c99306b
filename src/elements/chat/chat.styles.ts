import { css } from 'lit';
import { popoverStyles } from '../popover/popover.styles.js';

export const chatStyles = css`
  ${popoverStyles}
  :host {
    display: flex;
    flex-direction: column;
    block-size: var(--flock-chat-height, 28rem);
    min-inline-size: 16rem;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius, 0.5rem);
    background: var(--_bg);
    overflow: hidden;
  }
  .list {
    flex: 1;
    overflow-y: auto;
    overflow-anchor: none;
    padding-block: 0.5rem;
    overscroll-behavior: contain;
  }
  .list:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: -2px;
  }
  .state {
    margin: 0.5rem 0.75rem;
    color: var(--_muted);
    text-align: center;
  }
  .message {
    position: relative;
    display: grid;
    grid-template-columns: 2rem 1fr;
    column-gap: 0.5rem;
    padding: 0.125rem 0.75rem;
    /* Zalgo and oversized glyphs stay inside their own message. */
    overflow: hidden;
    contain: layout paint;
  }
  .message.first {
    margin-block-start: 0.5rem;
  }
  .message:hover,
  .message:focus-within {
    background: var(--_active);
  }
  .message:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: -2px;
  }
  .message[data-mine] {
    background: var(--flock-chat-mine, transparent);
  }
  .message > * {
    grid-column: 2;
  }
  .avatar {
    grid-column: 1;
    grid-row: 1 / span 2;
    display: inline-grid;
    place-items: center;
    inline-size: 2rem;
    block-size: 2rem;
    border-radius: 50%;
    font-size: 0.75rem;
    font-weight: 600;
  }
  .head {
    display: flex;
    align-items: baseline;
    gap: 0.5rem;
    min-inline-size: 0;
  }
  [part='author'] {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    unicode-bidi: isolate;
  }
  [part='time'] {
    color: var(--_muted);
    font-size: 0.75rem;
  }
  [part~='body'] {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    unicode-bidi: isolate;
  }
  [part~='deleted'] {
    color: var(--_muted);
    font-style: italic;
  }
  [part='link'] {
    color: var(--_focus);
  }
  [part='mention'] {
    background: none;
    color: var(--_focus);
    font-weight: 600;
  }
  [part='mention'][data-me] {
    background: var(--flock-chat-mention, color-mix(in srgb, var(--_warn) 22%, transparent));
    color: inherit;
    border-radius: 0.25rem;
  }
  .foot {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    font-size: 0.75rem;
    color: var(--_muted);
  }
  .foot:empty {
    display: none;
  }
  .failed {
    color: var(--_bad);
  }
  .actions {
    display: inline-flex;
    gap: 0.25rem;
    margin-inline-start: auto;
    opacity: 0;
  }
  .message:hover .actions,
  .message:focus-within .actions,
  .actions.shown {
    opacity: 1;
  }
  .actions button,
  .notice button,
  .state button {
    padding: 0.125rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: 0.25rem;
    background: var(--_bg);
    font-size: 0.75rem;
  }
  .edit {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 0.25rem;
    min-block-size: 3rem;
    resize: vertical;
  }
  .hint {
    font-size: 0.75rem;
    color: var(--_muted);
  }
  .day,
  .divider {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    margin: 0.75rem 0.75rem 0.25rem;
    font-size: 0.75rem;
    color: var(--_muted);
  }
  .day::before,
  .day::after,
  .divider::before,
  .divider::after {
    content: '';
    flex: 1;
    border-block-start: 1px solid var(--_border);
  }
  .divider {
    color: var(--_bad);
  }
  .divider::before,
  .divider::after {
    border-color: var(--_bad);
  }
  .jump {
    align-self: center;
    margin-block: -2.5rem 0.5rem;
    z-index: 1;
    padding: 0.25rem 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.2);
  }
  .typing {
    min-block-size: 1.2em;
    margin: 0 0.75rem;
    font-size: 0.75rem;
    color: var(--_muted);
  }
  .notice {
    margin: 0.25rem 0.75rem;
    color: var(--_bad);
  }
  .readonly-note {
    margin: 0;
    padding: 0.5rem 0.75rem;
    border-block-start: 1px solid var(--_border);
    color: var(--_muted);
  }
  .composer {
    position: relative;
    display: flex;
    align-items: flex-end;
    gap: 0.5rem;
    padding: 0.5rem 0.75rem;
    border-block-start: 1px solid var(--_border);
  }
  [part='input'] {
    anchor-name: --flock-chat-input;
    flex: 1;
    min-block-size: 2.25rem;
    max-block-size: 8rem;
    padding: 0.45rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: 0.375rem;
    background: var(--_bg);
    color: inherit;
    font: inherit;
    resize: none;
    field-sizing: content;
  }
  [part='input']:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 1px;
  }
  [part='counter'] {
    font-size: 0.75rem;
    color: var(--_muted);
    align-self: center;
  }
  [part='counter'].over {
    color: var(--_bad);
    font-weight: 600;
  }
  [part='send'] {
    padding: 0.45rem 0.9rem;
    border: 0;
    border-radius: 0.375rem;
    background: var(--flock-color-accent, #1d4ed8);
    color: #fff;
    font-weight: 600;
  }
  [part='send']:disabled {
    opacity: 0.6;
    cursor: default;
  }
  /* Placed by popover.styles.ts: in the top layer, against the text box. */
  [part='suggestions'] {
    position-anchor: --flock-chat-input;
    --_popover-max-inline: 20rem;
    --_popover-max-block: 16rem;
    padding: 0.25rem;
    list-style: none;
    min-inline-size: 12rem;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 0.375rem;
    box-shadow: 0 4px 12px rgb(0 0 0 / 0.15);
  }
  [role='option'] {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.25rem 0.5rem;
    border-radius: 0.25rem;
    cursor: pointer;
  }
  [role='option'][aria-selected='true'] {
    background: var(--_active);
  }
  .swatch {
    inline-size: 0.75rem;
    block-size: 0.75rem;
    border-radius: 50%;
  }
`;
