import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * What an element's source says its public surface is, read from the files themselves (the
 * classes cannot run in Node: they need a DOM), so the manifest test compares the generated
 * custom-elements.json with the code rather than with a list someone has to keep up to date.
 */
export interface ElementSource {
  tag: string;
  /** Lit reactive properties that are public (not `@state` / `state: true`), with their attribute or `false`. */
  properties: { name: string; attribute: string | false }[];
  /** `flock-*` events the element's folder fires or declares in `HTMLElementEventMap`. */
  events: Set<string>;
  /** Every name used in a `part` attribute of its templates (each word of `part="action retry"`). */
  parts: Set<string>;
  /** Every `--flock-*` custom property its styles read, the shared tokens included when it uses them. */
  cssProperties: Set<string>;
  /** Whether its template has a `<slot>`. */
  hasSlot: boolean;
}

export const ELEMENTS_DIR = fileURLToPath(new URL('../../../src/elements/', import.meta.url));

const read = (path: string): string => readFileSync(path, 'utf8');

/** `@property({ … }) name` and `static properties = { name: { … } }`, both spellings Lit accepts. */
function reactiveProperties(code: string): ElementSource['properties'] {
  const found: ElementSource['properties'] = [];
  const attributeOf = (name: string, options: string): string | false => {
    if (/attribute:\s*false/.test(options)) return false;
    return /attribute:\s*['"]([^'"]+)['"]/.exec(options)?.[1] ?? name.toLowerCase();
  };
  for (const match of code.matchAll(/@property\(\s*(\{[^)]*\})?\s*\)\s*(?:(?:override|declare|accessor|public)\s+)*(\w+)/g)) {
    found.push({ name: match[2]!, attribute: attributeOf(match[2]!, match[1] ?? '') });
  }
  const block = /static\s+(?:override\s+)?(?:readonly\s+)?properties\s*(?::[^=]+)?=\s*\{([\s\S]*?)\n\s*\};/.exec(code)?.[1];
  for (const match of block?.matchAll(/(\w+):\s*\{([^}]*)\}/g) ?? []) {
    if (/state:\s*true/.test(match[2]!)) continue;
    found.push({ name: match[1]!, attribute: attributeOf(match[1]!, match[2]!) });
  }
  return found;
}

export function elementSource(tag: string): ElementSource {
  const name = tag.replace(/^flock-/, '');
  const dir = `${ELEMENTS_DIR}${name}/`;
  const files = readdirSync(dir).filter((file) => file.endsWith('.ts'));
  const code = files.filter((file) => !file.endsWith('.styles.ts')).map((file) => read(dir + file));
  const styles = files.filter((file) => file.endsWith('.styles.ts')).map((file) => read(dir + file));
  const main = read(`${dir}${name}.ts`);

  const events = new Set<string>();
  for (const text of code) {
    for (const match of text.matchAll(/(?:emit|CustomEvent)(?:<[^>]*>)?\(\s*'(flock-[a-z-]+)'/g)) events.add(match[1]!);
    for (const match of text.matchAll(/'(flock-[a-z-]+)':\s*CustomEvent</g)) events.add(match[1]!);
  }

  const parts = new Set<string>();
  for (const text of code) {
    for (const match of text.matchAll(/part="([^"]+)"/g)) match[1]!.split(/\s+/).forEach((p) => parts.add(p));
    // part=${cond ? 'cursor self' : 'cursor'}: every quoted word is a part it can take.
    for (const match of text.matchAll(/part=\$\{([^}]*)\}/g)) {
      for (const literal of match[1]!.matchAll(/'([a-z -]*)'/g)) literal[1]!.split(/\s+/).filter(Boolean).forEach((p) => parts.add(p));
    }
  }

  const cssProperties = new Set<string>();
  const usesTokens = /styles\s*=\s*\[[^\]]*\btokens\b/.test(main);
  for (const text of [...styles, ...(usesTokens ? [read(`${ELEMENTS_DIR}tokens.styles.ts`)] : [])]) {
    for (const match of text.matchAll(/var\(\s*(--flock-[a-z0-9-]+)/g)) cssProperties.add(match[1]!);
  }

  return { tag, properties: reactiveProperties(main), events, parts, cssProperties, hasSlot: code.some((text) => /<slot[\s>]/.test(text)) };
}
