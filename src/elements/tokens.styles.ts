import { css } from 'lit';

/**
 * What every element's styles start from: the shared `--flock-*` tokens resolved to private
 * `--_*` names with light and dark defaults, the host's font and colour, focus rings, and the
 * visually-hidden helper for live regions and hidden labels.
 */
export const tokens = css`
  :host {
    --_fg: var(--flock-color-text, #111827);
    --_bg: var(--flock-color-surface, #ffffff);
    --_border: var(--flock-color-border, #d1d5db);
    --_muted: var(--flock-color-muted, #4b5563);
    --_focus: var(--flock-color-focus, #2563eb);
    --_active: var(--flock-color-selected, #e5e7eb);
    --_ok: var(--flock-color-success, #15803d);
    --_warn: var(--flock-color-warning, #b45309);
    --_bad: var(--flock-color-danger, #b91c1c);
    position: relative;
    display: inline-block;
    font: var(--flock-font-size, 0.875rem) / 1.4 var(--flock-font, system-ui, sans-serif);
    color: var(--_fg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_fg: var(--flock-color-text, #f3f4f6);
      --_bg: var(--flock-color-surface, #1f2937);
      --_border: var(--flock-color-border, #4b5563);
      --_muted: var(--flock-color-muted, #9ca3af);
      --_focus: var(--flock-color-focus, #93c5fd);
      --_active: var(--flock-color-selected, #374151);
      --_ok: var(--flock-color-success, #4ade80);
      --_warn: var(--flock-color-warning, #fbbf24);
      --_bad: var(--flock-color-danger, #f87171);
    }
  }
  :host([hidden]) {
    display: none;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
  }
  button:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
