import { css } from 'lit';

export const avatarsStyles = css`
  :host {
    --_size: var(--flock-avatar-size, 32px);
    --_ring: var(--_bg);
  }
  :host([size='s']) {
    --_size: var(--flock-avatar-size, 24px);
  }
  :host([size='l']) {
    --_size: var(--flock-avatar-size, 40px);
  }
  [part='group'] {
    display: flex;
    align-items: center;
  }
  [part~='avatar'],
  [part='overflow'] {
    box-sizing: border-box;
    display: inline-grid;
    place-items: center;
    inline-size: var(--_size);
    block-size: var(--_size);
    margin-inline-start: calc(var(--_size) * -0.25);
    padding: 0;
    border: 2px solid var(--_ring);
    border-radius: 50%;
    overflow: hidden;
    font-size: calc(var(--_size) * 0.4);
    font-weight: 600;
    line-height: 1;
  }
  [part~='avatar']:first-child {
    margin-inline-start: 0;
  }
  [part~='avatar'] img {
    inline-size: 100%;
    block-size: 100%;
    object-fit: cover;
  }
  /* Away is greyed and ringed with dashes: not colour alone, and the initials keep their contrast. */
  [part~='away'] {
    filter: grayscale(0.85);
    border-style: dashed;
    border-color: var(--_muted);
  }
  .initials::before {
    content: attr(data-initials);
  }
  [part='overflow'] {
    background: var(--_bg);
    border-color: var(--_border);
    color: var(--_fg);
  }
  [part='tooltip'] {
    position: absolute;
    inset-block-start: calc(100% + 0.3em);
    z-index: var(--flock-z-popover, 1000);
    padding: 0.2em 0.5em;
    border-radius: 0.3em;
    background: var(--_fg);
    color: var(--_bg);
    white-space: nowrap;
    max-inline-size: 20em;
    overflow: hidden;
    text-overflow: ellipsis;
    pointer-events: none;
  }
  [part='list'] {
    position: absolute;
    inset-block-start: calc(100% + 0.4em);
    inset-inline-end: 0;
    z-index: var(--flock-z-popover, 1000);
    min-inline-size: 14em;
    max-block-size: 20em;
    overflow: auto;
    margin: 0;
    padding: 0.3em;
    list-style: none;
    border: 1px solid var(--_border);
    border-radius: var(--flock-radius-panel, 0.5em);
    background: var(--_bg);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.15);
  }
  [part~='option'] {
    display: flex;
    align-items: center;
    gap: 0.5em;
    padding: 0.3em 0.5em;
    border-radius: 0.3em;
    cursor: pointer;
  }
  [part~='option'][aria-selected='true'] {
    background: var(--_active);
  }
  [part~='option'] [part~='avatar'] {
    margin: 0;
    --_size: 24px;
  }
  .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    max-inline-size: 14em;
    unicode-bidi: isolate;
  }
  .meta {
    color: var(--_muted);
    font-size: 0.85em;
  }
`;
