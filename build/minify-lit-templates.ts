import { parseSync } from 'rolldown/utils';
import type { Plugin } from 'vite';

/**
 * Strips the layout whitespace and comments out of Lit's `css` and `html` template literals in
 * src/ at build time, so what ships (lib, cdn, and what the size bench measures) carries no
 * indentation. Only changes that cannot alter what a template means:
 * - `css`: comments go, whitespace collapses to one space and goes entirely beside `{ } ; , :`
 *   (after a colon only: a space before one is a descendant combinator), `;}` becomes `}`,
 *   `0.5` becomes `.5`, and `[part='x']` becomes `[part=x]` (an identifier needs no quotes).
 *   Other quoted strings are kept as they are. No value is otherwise rewritten (lightningcss
 *   was tried: it rounded a z-index and reordered logical and physical properties).
 * - `html`: the indentation after a line break goes, outside quoted attribute values, comments
 *   and `<pre>`/`<textarea>`/`<style>`/`<script>`; the line break itself stays (it is the one
 *   space the browser would render, and it keeps every text node that was there).
 * A template with a backslash, or one this can't read with certainty, is left as it is. The
 * line count of the file doesn't change (a collapsed CSS template's line breaks go after it), so
 * the transform keeps the source map's lines.
 */
export function minifyLitTemplates(): Plugin {
  return {
    name: 'flock:minify-lit-templates',
    transform: {
      filter: { id: /^(?!.*node_modules).*\/src\/.*\.ts$/, code: /\b(css|html)`/ },
      handler(code, id) {
        const out = minifyTemplatesIn(code, id);
        return out === code ? null : { code: out, map: null };
      },
    },
  };
}

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}
interface Quasi {
  start: number;
  end: number;
  value: { raw: string };
}

/** The module's text with every `css`…`` and `html`…`` literal minified. Exported for its tests. */
export function minifyTemplatesIn(code: string, filename = 'module.ts'): string {
  const { program, errors } = parseSync(filename, code, { lang: 'ts', sourceType: 'module' });
  if (errors.length) return code;
  const edits: { start: number; end: number; text: string }[] = [];
  walk(program as unknown as Node, (node) => {
    if (node.type !== 'TaggedTemplateExpression') return;
    const tag = node.tag as Node & { name?: string };
    if (tag.type !== 'Identifier' || (tag.name !== 'css' && tag.name !== 'html')) return;
    const quasi = node.quasi as Node & { quasis: Quasi[] };
    const raws = quasi.quasis.map((q) => q.value.raw);
    if (raws.some((r) => r.includes('\\'))) return;
    const minified = tag.name === 'css' ? minifyCss(raws) : minifyHtml(raws);
    if (!minified) return;
    quasi.quasis.forEach((q, i) => {
      // oxc's span of a quasi takes in its delimiters: the opening ` or }, then the raw text.
      const start = q.start + 1;
      const end = start + raws[i]!.length;
      if (code.slice(start, end) !== raws[i]) throw new Error(`minify-lit-templates: unexpected quasi span in ${filename}`);
      edits.push({ start, end, text: minified[i]! });
    });
    const lost = lineBreaks(raws.join('')) - lineBreaks(minified.join(''));
    if (lost > 0) edits.push({ start: quasi.end, end: quasi.end, text: '\n'.repeat(lost) });
  });
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  if (typeof (node as Node).type === 'string') visit(node as Node);
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'parent' && value && typeof value === 'object') walk(value, visit);
  }
}

const lineBreaks = (s: string): number => s.split('\n').length - 1;

/** Each quasi minified, or undefined to leave the template alone (a string or comment split by `${}`). */
export function minifyCss(quasis: string[]): string[] | undefined {
  const out: string[] = [];
  for (const raw of quasis) {
    // Split into quoted strings (kept) and the rest; an unclosed quote or comment means the
    // quasi ends inside one, which this doesn't try to follow.
    const parts = raw.split(/('[^'\n]*'|"[^"\n]*")/);
    let text = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i % 2 === 1) {
        // An attribute selector's value needs no quotes when it is an identifier: [part='x'].
        const bare = part.slice(1, -1);
        const attributeValue = /=\s*$/.test(parts[i - 1]!) && /^\s*]/.test(parts[i + 1]!);
        text += attributeValue && /^[a-zA-Z_][\w-]*$/.test(bare) ? bare : part;
        continue;
      }
      if (/['"]/.test(part)) return undefined;
      const uncommented = part.replace(/\/\*[\s\S]*?\*\//g, ' ');
      if (uncommented.includes('/*') || uncommented.includes('*/')) return undefined;
      text += uncommented
        .replace(/\s+/g, ' ')
        .replace(/ ?([{};,]) ?/g, '$1')
        .replace(/: /g, ':')
        .replace(/;}/g, '}')
        // 0.25 → .25, -0.5 → -.5 (not inside a name or a longer number)
        .replace(/(^|[^\w.#-])(-?)0\.(\d)/g, '$1$2.$3');
    }
    out.push(text);
  }
  out[0] = out[0]!.replace(/^ /, '');
  out[out.length - 1] = out[out.length - 1]!.replace(/ $/, '');
  return out;
}

const RAW_TEXT = /^(pre|textarea|style|script)$/i;

/**
 * Each quasi with the indentation after its line breaks removed where the HTML tokenizer is in
 * text or between attributes; undefined to leave the template alone.
 */
export function minifyHtml(quasis: string[]): string[] | undefined {
  type Mode = 'text' | 'tag' | 'dq' | 'sq' | 'comment' | 'raw';
  let mode: Mode = 'text';
  let tagName = '';
  let rawEnd = '';
  const out: string[] = [];
  for (const raw of quasis) {
    let text = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '\n' && (mode === 'text' || mode === 'tag')) {
        // Drop the spaces before the break and the indentation after it.
        text = text.replace(/[ \t]+$/, '') + '\n';
        while (raw[i + 1] === ' ' || raw[i + 1] === '\t') i++;
        continue;
      }
      text += c;
      switch (mode) {
        case 'text':
          if (c === '<') {
            if (raw.startsWith('!--', i + 1)) mode = 'comment';
            else if (/[a-zA-Z/]/.test(raw[i + 1] ?? '')) {
              mode = 'tag';
              tagName = /^\/?([a-zA-Z][\w-]*)/.exec(raw.slice(i + 1))?.[1] ?? '';
              if (raw[i + 1] === '/') tagName = '';
            } else if (i + 1 >= raw.length) return undefined; // `<${tag}`: unknowable
          }
          break;
        case 'tag':
          if (c === '"') mode = 'dq';
          else if (c === "'") mode = 'sq';
          else if (c === '>') {
            if (RAW_TEXT.test(tagName)) {
              mode = 'raw';
              rawEnd = `</${tagName.toLowerCase()}`;
            } else mode = 'text';
          }
          break;
        case 'dq':
          if (c === '"') mode = 'tag';
          break;
        case 'sq':
          if (c === "'") mode = 'tag';
          break;
        case 'comment':
          if (text.endsWith('-->')) mode = 'text';
          break;
        case 'raw':
          if (text.toLowerCase().endsWith(rawEnd)) {
            mode = 'tag';
            tagName = '';
          }
          break;
      }
    }
    out.push(text);
  }
  return mode === 'text' ? out : undefined;
}
