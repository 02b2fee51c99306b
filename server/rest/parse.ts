import type { Filter, LogicTree, RestQuery, SelectItem } from './ast.ts';
import { errors } from './errors.ts';
import { GrammarError } from './cursor.ts';
import { parseFilterValue, parseLogicTree, parseTreePath } from './filter-grammar.ts';
import { parseColumnList, parseOrder, parseSelect } from './select-grammar.ts';

/**
 * Query string → `RestQuery`. Pure: no catalog, no I/O; names are checked later.
 *
 * One deliberate difference from PostgREST: a parameter that is not reserved is always a
 * filter. PostgREST ignores a parameter whose value has no known operator (`?id=5`), which
 * turns a typo into "no filter", and for DELETE into "every row"; here it is a PGRST100.
 */

/** Parameters that are not filters. `apikey` is the gateway's and never reaches PostgREST. */
const RESERVED = new Set(['select', 'columns', 'on_conflict', 'order', 'limit', 'offset', 'and', 'or', 'not.and', 'not.or', 'apikey']);
const EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);

function grammar<T>(what: string, input: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof GrammarError) throw errors.parse(what, input, error.column, error.details);
    throw error;
  }
}

function nonNegativeInteger(what: string, input: string): number {
  // Beyond 2^53 a limit or offset means "all of them"; keep it an exact integer for the SQL text.
  if (/^\d+$/.test(input)) return Math.min(Number(input), Number.MAX_SAFE_INTEGER);
  if (/^-\d+$/.test(input) && what === 'limit') throw errors.invalidRange('Limit should be greater than or equal to zero.');
  const bad = input.search(/[^0-9]/);
  const at = bad < 0 ? input.length : bad;
  const found = input[at];
  const details = `${found === undefined ? 'unexpected end of input' : `unexpected ${JSON.stringify(found)}`} expecting digit`;
  throw errors.parse(`${what} parameter`, input, at + 1, details);
}

export function parseQuery(params: URLSearchParams): RestQuery {
  const query: RestQuery = { select: [{ kind: 'star' }], filters: [], logic: [], order: [], embedPaths: [] };
  for (const [key, value] of params) {
    const lastDot = key.lastIndexOf('.');
    const tail = key.slice(lastDot + 1);
    if (!RESERVED.has(key) && lastDot > 0 && EMBEDDABLE.has(tail)) {
      // `rel.order=...`, `rel.limit=...`: options of an embedded resource, which this server has none of.
      query.embedPaths.push(key.slice(0, lastDot).replace(/^not\./, ''));
      continue;
    }
    switch (key) {
      case 'apikey':
        break;
      case 'select':
        query.select = value.trim() === '' ? [{ kind: 'star' }] : grammar('select parameter', value, () => parseSelect(value));
        break;
      case 'columns':
        query.columns = grammar('columns parameter', value, () => parseColumnList(value));
        break;
      case 'on_conflict':
        query.onConflict = grammar('on_conflict parameter', value, () => parseColumnList(value));
        break;
      case 'order': {
        const { terms, relations } = grammar('order', value, () => parseOrder(value));
        query.order.push(...terms);
        query.embedPaths.push(...relations);
        break;
      }
      case 'limit':
        query.limit = nonNegativeInteger('limit', value);
        break;
      case 'offset':
        query.offset = nonNegativeInteger('offset', value);
        break;
      case 'and':
      case 'or':
      case 'not.and':
      case 'not.or':
        query.logic.push(grammar('logic tree', value, () => parseLogicTree(`${key}${value}`)));
        break;
      default:
        query.filters.push(parseFilter(key, value, query.embedPaths));
    }
  }
  return query;
}

function parseFilter(key: string, value: string, embedPaths: string[]): Filter {
  const { path, field } = grammar('tree path', key, () => parseTreePath(key));
  if (path.length > 0) embedPaths.push(path.join('.'));
  const { negated, operation } = grammar('filter', value, () => parseFilterValue(value));
  return { field, negated, operation };
}

/** Every embedded resource the select list names (answered with PGRST200). */
export function embeddedRelations(select: readonly SelectItem[]): string[] {
  return select.flatMap((item) => (item.kind === 'embed' ? [item.relation] : []));
}

/** Every column a logic tree filters on, for validation against the catalog. */
export function logicFilters(tree: LogicTree): Filter[] {
  return tree.kind === 'filter' ? [tree.filter] : tree.children.flatMap(logicFilters);
}
