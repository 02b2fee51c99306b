/**
 * flock-kit/chat: registers `<flock-chat>` and the `<flock-room>` it needs, and nothing else, so
 * a page that uses only this element ships only its code.
 * @packageDocumentation
 */
import './room.js';
import { FlockChat } from '../elements/chat/chat.js';
import { defineFlockElement } from '../elements/register.js';

defineFlockElement('flock-chat', FlockChat);

export { FlockChat };
