import type { AxeResults, RunOptions } from 'axe-core';

/**
 * axe-core in the test page. It ships as a classic script (UMD), which the test server does not
 * turn into a module, so it is loaded with a script tag once and used from `window.axe`.
 */
type Axe = { run(context: Element, options: RunOptions): Promise<AxeResults> };
let loading: Promise<Axe> | undefined;

function loadAxe(): Promise<Axe> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve((window as unknown as { axe: Axe }).axe);
    script.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(script);
  });
  return loading;
}

/** Runs axe-core on `root` (shadow roots included) and fails naming each violation. */
export async function expectNoAxeViolations(root: Element): Promise<void> {
  const axe = await loadAxe();
  const result = await axe.run(root, { resultTypes: ['violations'] });
  const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  if (violations.length > 0) throw new Error(`axe found ${violations.length} violation(s):\n${violations.join('\n')}`);
}
