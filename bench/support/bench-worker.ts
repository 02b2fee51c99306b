import { Worker } from 'node:worker_threads';

/** What every bench worker says: ready, progress while it runs, its result, closed once its clients are gone, or failed. */
export type WorkerSays = { type: 'ready' | 'progress' | 'result' | 'closed' } | { type: 'failed'; message: string };

/**
 * The coordinating side of one bench worker thread running `entry` (a TypeScript module, loaded
 * through tsx) with `setup` as its workerData: its messages as promises, its latest progress.
 * `failure` rejects if the worker says it failed, throws, or exits.
 */
export class BenchWorker<From extends WorkerSays, To> {
  readonly worker: Worker;
  progress: Extract<From, { type: 'progress' }> | undefined;
  readonly ready: Promise<Extract<From, { type: 'ready' }>>;
  readonly result: Promise<Extract<From, { type: 'result' }>>;
  readonly closed: Promise<void>;
  readonly failure: Promise<never>;

  constructor(entry: URL, setup: unknown) {
    // tsx's loader does not follow `--import` into worker threads; register it there first.
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
    this.worker = new Worker(boot, { eval: true, workerData: setup });
    const settle: Partial<Record<WorkerSays['type'], (m: From) => void>> = {};
    this.ready = new Promise((resolve) => (settle.ready = (m) => resolve(m as Extract<From, { type: 'ready' }>)));
    this.result = new Promise((resolve) => (settle.result = (m) => resolve(m as Extract<From, { type: 'result' }>)));
    this.closed = new Promise((resolve) => (settle.closed = () => resolve()));
    this.failure = new Promise((_, reject) => {
      settle.failed = (m) => reject(new Error(`load worker: ${(m as { message?: string }).message ?? 'failed'}`));
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`load worker exited (${code})`)));
    });
    this.failure.catch(() => undefined);
    this.worker.on('message', (m: From) => {
      if (m.type === 'progress') this.progress = m as Extract<From, { type: 'progress' }>;
      else settle[m.type]?.(m);
    });
  }

  post(message: To): void {
    this.worker.postMessage(message);
  }
}
