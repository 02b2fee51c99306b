import type { ChatMessage, FlockMessageDetail } from 'flock-kit';
import { FlockAvatars, FlockBell, FlockChat, FlockCursors, FlockRoom, FlockStatus } from 'flock-kit/react';
import { use, useState } from 'react';
import { signedIn, supabase } from './supabase.ts';

/**
 * The app: its own header and panel around the five Flock elements, all in one room that uses
 * the app's supabase-js client. `flock-message` (someone else's message arrived) drives the
 * app's own "latest" line and counter.
 */
export function App() {
  const user = use(signedIn);
  const [latest, setLatest] = useState<ChatMessage>();
  const [received, setReceived] = useState(0);

  const onMessage = (event: CustomEvent<FlockMessageDetail>) => {
    setLatest(event.detail.message);
    setReceived((n) => n + 1);
  };

  return (
    <FlockRoom room="react-example" client={supabase}>
      <header>
        <h1>Flock + React</h1>
        <FlockStatus />
        <FlockAvatars max={5} />
        <FlockBell />
      </header>
      <main>
        <section id="canvas">
          <p>
            Signed in as <strong id="me">{String(user.user_metadata.name ?? 'Guest')}</strong>. Move your pointer here:
            the others see it. Open this page in a second browser to be two people.
          </p>
          <p id="received">
            {received === 0 ? 'No messages from others yet.' : `${received} message${received === 1 ? '' : 's'} from others.`}
          </p>
          {latest && (
            <p id="latest">
              Latest: <strong>{latest.authorName}</strong>: {latest.body}
            </p>
          )}
        </section>
        <FlockChat placeholder="Say hello" onFlockMessage={onMessage} />
      </main>
      <FlockCursors target="#canvas" />
    </FlockRoom>
  );
}
