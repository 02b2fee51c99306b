/**
 * flock-kit/bell: registers `<flock-bell>` and the `<flock-room>` it needs, and nothing else, so
 * a page that uses only this element ships only its code.
 * @packageDocumentation
 */
import './room.js';
import { FlockBell } from '../elements/bell/bell.js';
import { defineFlockElement } from '../elements/register.js';

defineFlockElement('flock-bell', FlockBell);

export { FlockBell };
