import { errors } from './errors.ts';

/**
 * The request headers PostgREST reads besides auth: `Prefer`, `Accept`, `Range` and the
 * profile headers. Pure functions from header text to typed values or a `RestError`.
 */

export interface Preferences {
  /** `return=`: what a write answers with. */
  return?: 'representation' | 'minimal' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  tx?: 'commit' | 'rollback';
  handling?: 'strict' | 'lenient';
  maxAffected?: number;
  /** Preferences not understood; an error only with `handling=strict`. */
  invalid: string[];
}

const CHOICES = {
  return: ['representation', 'minimal', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  tx: ['commit', 'rollback'],
  handling: ['strict', 'lenient'],
} as const;
type ChoiceKey = keyof typeof CHOICES;

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}

/** RFC 7240 as PostgREST reads it: comma-separated across headers, and the first of each kind wins. */
export function parsePreferences(header: string | undefined): Preferences {
  const prefs: Preferences = { invalid: [] };
  for (const raw of (header ?? '').split(',')) {
    const pref = raw.trim();
    if (pref === '') continue;
    const at = pref.indexOf('=');
    const name = at < 0 ? pref : pref.slice(0, at);
    const value = at < 0 ? '' : pref.slice(at + 1);
    if (name === 'return' && isOneOf(value, CHOICES.return)) prefs.return ??= value;
    else if (name === 'count' && isOneOf(value, CHOICES.count)) prefs.count ??= value;
    else if (name === 'resolution' && isOneOf(value, CHOICES.resolution)) prefs.resolution ??= value;
    else if (name === 'missing' && isOneOf(value, CHOICES.missing)) prefs.missing ??= value;
    else if (name === 'tx' && isOneOf(value, CHOICES.tx)) prefs.tx ??= value;
    else if (name === 'handling' && isOneOf(value, CHOICES.handling)) prefs.handling ??= value;
    else if (name === 'max-affected' && /^\d{1,15}$/.test(value)) prefs.maxAffected ??= Number(value);
    else prefs.invalid.push(pref);
  }
  if (prefs.handling === 'strict' && prefs.invalid.length > 0) throw errors.invalidPreferences(prefs.invalid);
  return prefs;
}

/** The `Preference-Applied` header value for the preferences that shaped this answer. */
export function preferenceApplied(prefs: Preferences, kinds: readonly (ChoiceKey | 'max-affected')[]): string | undefined {
  const applied = kinds.flatMap((kind) => {
    if (kind === 'max-affected') {
      return prefs.handling === 'strict' && prefs.maxAffected !== undefined ? [`max-affected=${prefs.maxAffected}`] : [];
    }
    const value = prefs[kind];
    return value === undefined ? [] : [`${kind}=${value}`];
  });
  return applied.length ? applied.join(', ') : undefined;
}

export interface Media {
  /** `object` is `Accept: application/vnd.pgrst.object+json` (`.single()`): exactly one row or 406. */
  shape: 'array' | 'object';
  stripNulls: boolean;
}

/** Picks the answer's media type from `Accept`, highest quality first; anything else is PGRST107. */
export function negotiateMedia(accept: string | undefined): Media {
  if (accept === undefined || accept.trim() === '') return { shape: 'array', stripNulls: false };
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim());
      const param = (name: string) => params.find((p) => p.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1);
      const quality = Number(param('q') ?? '1');
      return { type: type.toLowerCase(), nulls: param('nulls'), quality: Number.isNaN(quality) ? 0 : quality, index };
    })
    .filter((r) => r.type !== '' && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    const stripNulls = range.nulls === 'stripped';
    switch (range.type) {
      case '*/*':
      case 'application/*':
      case 'application/json':
        return { shape: 'array', stripNulls: false };
      case 'application/vnd.pgrst.array+json':
      case 'application/vnd.pgrst.array':
        return { shape: 'array', stripNulls };
      case 'application/vnd.pgrst.object+json':
      case 'application/vnd.pgrst.object':
        return { shape: 'object', stripNulls };
    }
  }
  throw errors.mediaType(ranges.map((r) => r.type).join(', ') || accept);
}

export function contentType(media: Media): string {
  const base = media.shape === 'object' ? 'application/vnd.pgrst.object+json' : 'application/json';
  return `${base}${media.stripNulls ? ';nulls=stripped' : ''}; charset=utf-8`;
}

/** `Range: 0-9` (or `items=0-9`): an inclusive row range; unparseable ranges are ignored, as PostgREST does. */
export function parseRangeHeader(value: string | undefined): { from: number; to?: number } | undefined {
  const match = value?.trim().match(/^(?:items=)?(\d{1,15})-(\d{0,15})$/);
  if (!match) return undefined;
  const from = Number(match[1]);
  if (match[2] === '' || match[2] === undefined) return { from };
  const to = Number(match[2]);
  if (from > to) {
    throw errors.invalidRange('The lower boundary must be lower than or equal to the upper boundary in the Range header.');
  }
  return { from, to };
}

/** Only `public` is exposed: `Accept-Profile` (reads) or `Content-Profile` (writes) must name it if sent. */
export function checkProfile(profile: string | undefined): void {
  if (profile !== undefined && profile.trim() !== 'public') throw errors.unacceptableSchema(profile.trim());
}

/** Write bodies must be JSON; PostgREST answers any other Content-Type with PGRST102. */
export function checkContentType(value: string | undefined): void {
  if (value === undefined) return;
  const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && type !== 'application/json') throw errors.invalidBody(`Content-Type not acceptable: ${type}`);
}
