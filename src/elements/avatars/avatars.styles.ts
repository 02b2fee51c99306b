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
  /* +492 stays whole: the button grows into a pill past two digits. */
  [part='overflow'] {
    inline-size: auto;
    min-inline-size: var(--_size);
    padding-inline: 0.3em;
    border-radius: calc(var(--_size) / 2);
    white-space: nowrap;
    background: var(--_bg);
    border-color: var(--_border);
    color: var(--_fg);
    anchor-name: --flock-avatars-overflow;
  }
  [part='group'] > [data-anchor] {
    anchor-name: --flock-avatars-hovered;
  }
  /* Panels are placed by popover.styles.ts: in the top layer, against their trigger. */
  [part='tooltip'] {
    position-anchor: --flock-avatars-hovered;
    --_popover-max-inline: 20rem;
    display: flex;
    gap: 0.4em;
    padding: 0.2em 0.5em;
    border: 0;
    border-radius: 0.3em;
    background: var(--_fg);
    color: var(--_bg);
    white-space: nowrap;
    overflow: hidden;
    pointer-events: none;
  }
  [part='tooltip'] .name {
    min-inline-size: 0;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  [part='tooltip'] .status {
    flex: none;
    opacity: 0.85;
  }
  [part='list'] {
    position-anchor: --flock-avatars-overflow;
    --_popover-max-inline: 20rem;
    --_popover-max-block: 20em;
    min-inline-size: 14em;
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
    flex: none;
    margin: 0;
    --_size: 24px;
  }
  [part~='option'] .text {
    display: flex;
    flex-direction: column;
    min-inline-size: 0;
  }
  /* Whole names, two lines at most, read in their own direction. */
  [part~='option'] .name {
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    overflow-wrap: anywhere;
    unicode-bidi: isolate;
  }
  .meta {
    color: var(--_muted);
    font-size: 0.85em;
    white-space: nowrap;
  }
`;
