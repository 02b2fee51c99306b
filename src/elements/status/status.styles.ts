import { css } from 'lit';

export const statusStyles = css`
  :host([hide-when-connected][status='connected']:not([has-writes])) {
    display: none;
  }
  [part='button'] {
    anchor-name: --flock-status-button;
    display: inline-flex;
    white-space: nowrap;
    max-inline-size: 100%;
    align-items: center;
    gap: 0.4em;
    padding: 0.2em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius, 999px);
    background: var(--_bg);
  }
  /* Shape carries the state as well as colour: a filled dot when connected, a ring while
     connecting, a dashed ring while reconnecting, a square when offline. */
  [part='label'] {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  [part='dot'] {
    box-sizing: border-box;
    inline-size: var(--flock-status-dot-size, 0.7em);
    block-size: var(--flock-status-dot-size, 0.7em);
    border-radius: 50%;
    flex: none;
  }
  :host([status='connected']) [part='dot'] {
    background: var(--_ok);
  }
  :host([status='connected'][quality='fair']) [part='dot'] {
    background: var(--_warn);
  }
  :host([status='connected'][quality='poor']) [part='dot'] {
    background: var(--_bad);
  }
  :host([status='connecting']) [part='dot'] {
    border: 2px solid var(--_muted);
  }
  :host([status='reconnecting']) [part='dot'] {
    border: 2px dashed var(--_warn);
    animation: spin 1.6s linear infinite;
  }
  :host([status='offline']) [part='dot'] {
    border-radius: 2px;
    background: var(--_bad);
  }
  @media (prefers-reduced-motion: reduce) {
    :host([status='reconnecting']) [part='dot'] {
      animation: none;
    }
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  /* Placed by popover.styles.ts: in the top layer, against the button, inside the viewport. */
  [part='details'] {
    position-anchor: --flock-status-button;
    --_popover-max-inline: 22rem;
    padding: 0.75em;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius-panel, 0.5em);
    background: var(--_bg);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.15);
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.25em 1em;
    margin: 0;
  }
  dt {
    color: var(--_muted);
  }
  dd {
    margin: 0;
    white-space: nowrap;
    unicode-bidi: isolate;
  }
  ul {
    margin: 0.5em 0 0;
    padding: 0;
    list-style: none;
  }
  li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4em;
    margin-block: 0.3em;
  }
  [part='write-error'] {
    flex: 1 1 100%;
    overflow-wrap: anywhere;
    color: var(--_bad);
  }
  [part~='action'] {
    padding: 0.15em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius-button, 0.3em);
    background: transparent;
  }
  .actions {
    display: flex;
    gap: 0.5em;
    justify-content: flex-end;
    margin-block-start: 0.75em;
  }
`;
