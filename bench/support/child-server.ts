import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const bin = fileURLToPath(new URL('../../bin/flock-kit.js', import.meta.url));

/**
 * Starts `flock-kit serve --memory` in its own process on a free port, as a user would run it,
 * so the server's CPU is not shared with the load generator's event loop.
 */
export function startChildServer(extraArgs: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [bin, 'serve', '--memory', '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /local server on (http:\/\/\S+)/.exec(output);
      if (!match?.[1]) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve({
        url: match[1],
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}
