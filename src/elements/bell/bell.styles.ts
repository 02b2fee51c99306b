import { css } from 'lit';

export const bellStyles = css`
  [part='button'] {
    anchor-name: --flock-bell-button;
    position: relative;
    display: inline-grid;
    place-items: center;
    inline-size: var(--flock-bell-size, 2.25rem);
    block-size: var(--flock-bell-size, 2.25rem);
    padding: 0;
    border: 1px solid var(--_border);
    border-radius: 50%;
    background: var(--_bg);
  }
  :host([pulsing]) [part='button'] {
    animation: pulse 0.9s ease-out 2;
  }
  @media (prefers-reduced-motion: reduce) {
    :host([pulsing]) [part='button'] {
      animation: none;
    }
  }
  @keyframes pulse {
    50% {
      transform: scale(1.12) rotate(-8deg);
    }
  }
  [part='badge'] {
    position: absolute;
    inset-block-start: -0.3em;
    inset-inline-end: -0.3em;
    min-inline-size: 1.3em;
    padding: 0 0.3em;
    border-radius: 999px;
    background: var(--flock-bell-badge, #b91c1c);
    color: #fff;
    font-size: 0.7rem;
    font-weight: 700;
    line-height: 1.3em;
    text-align: center;
  }
  [part='badge']::before {
    content: attr(data-count);
  }
  :host([dot]) [part='badge'] {
    min-inline-size: 0;
    inline-size: 0.7em;
    block-size: 0.7em;
    padding: 0;
  }
  /* Placed by popover.styles.ts: in the top layer, against the bell, inside the viewport. Its
     header stays in view while the list scrolls. */
  [part='panel'] {
    position-anchor: --flock-bell-button;
    --_popover-max-inline: 24rem;
    inline-size: 24rem;
    padding: 0;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius-panel, 0.5em);
    background: var(--_bg);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.15);
  }
  header {
    position: sticky;
    inset-block-start: 0;
    z-index: 1;
    background: var(--_bg);
    display: flex;
    align-items: center;
    gap: 0.4em;
    padding: 0.5em;
    border-block-end: 1px solid var(--_border);
  }
  header .spacer {
    flex: 1;
  }
  [part~='action'],
  [part~='filter'] {
    padding: 0.15em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius-button, 0.3em);
    background: transparent;
  }
  [part~='filter'][aria-pressed='true'] {
    background: var(--_active);
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  [part~='item'] {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.2em 0.6em;
    padding: 0.6em;
    border-block-end: 1px solid var(--_border);
  }
  [part~='item'][data-unread] {
    background: color-mix(in srgb, var(--_focus) 7%, transparent);
  }
  [part='actor'] {
    grid-row: span 3;
    display: grid;
    place-items: center;
    inline-size: 2em;
    block-size: 2em;
    border-radius: 50%;
    background: var(--_active);
    font-size: 0.8em;
    font-weight: 600;
  }
  [part='title'] {
    font-weight: 600;
    overflow-wrap: anywhere;
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }
  [part='title'] a {
    color: inherit;
  }
  [part='body'] {
    overflow-wrap: anywhere;
    display: -webkit-box;
    -webkit-line-clamp: 3;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4em;
    color: var(--_muted);
    font-size: 0.85em;
  }
  [part='unread-marker'] {
    display: inline-block;
    inline-size: 0.55em;
    block-size: 0.55em;
    border-radius: 50%;
    background: var(--_focus);
  }
  .state {
    padding: 1em;
    text-align: center;
    color: var(--_muted);
  }
  [part='toast'] {
    position: fixed;
    inset-block-end: 1rem;
    inset-inline-end: 1rem;
    z-index: var(--flock-z-popover, 1000);
    max-inline-size: 20rem;
    padding: 0.6em 0.9em;
    border-radius: var(--flock-radius-panel, 0.5em);
    background: var(--_fg);
    color: var(--_bg);
    overflow-wrap: anywhere;
  }
`;
