/**
 * flock-kit/avatars: registers `<flock-avatars>` and the `<flock-room>` it needs, and nothing else, so
 * a page that uses only this element ships only its code.
 * @packageDocumentation
 */
import './room.js';
import { FlockAvatars } from '../elements/avatars/avatars.js';
import { defineFlockElement } from '../elements/register.js';

defineFlockElement('flock-avatars', FlockAvatars);

export { FlockAvatars };
