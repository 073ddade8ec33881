// Turns the schema validator's findings into the `errors` of a 400 problem: one entry per field, its
// place as a JSON Pointer (RFC 6901) into the part of the request it is in (`in`: body, query, path
// or header), with a message a person can act on. ajv with allErrors reports a failed union once per
// branch (`must be equal to constant` twice, then `must match a schema in anyOf`): those are folded
// into one message ("must be one of: \"delivery\", \"pickup\""), or into the errors of the one
// branch the value was evidently meant for.
import { pointerToken, type FieldError, type RequestPart } from '../errors.js';

/** What Fastify hands over per finding (ajv's ErrorObject, the fields used here). */
export interface SchemaFinding {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Fastify's name for the part of the request that failed, as in the errors' `in`. */
export const REQUEST_PART: Record<string, RequestPart> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

interface Finding {
  pointer: string;
  message: string;
  keyword: string;
  schemaPath: string;
  /** For the folding of unions: the alternatives this finding rules out at its pointer. */
  alternatives?: string[];
}

const TYPE_WORDS: Record<string, string> = { string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', object: 'an object', array: 'an array', null: 'null' };

function leaf(f: SchemaFinding): Finding {
  const p = f.params ?? {};
  const missing = typeof p.missingProperty === 'string' ? p.missingProperty : undefined;
  const extra = typeof p.additionalProperty === 'string' ? p.additionalProperty : typeof p.unevaluatedProperty === 'string' ? p.unevaluatedProperty : undefined;
  const base = { keyword: f.keyword, schemaPath: f.schemaPath };
  if (missing !== undefined) return { ...base, pointer: `${f.instancePath}/${pointerToken(missing)}`, message: 'is required' };
  if (extra !== undefined) return { ...base, pointer: `${f.instancePath}/${pointerToken(extra)}`, message: 'unknown field; remove it' };
  if (f.keyword === 'const') return { ...base, pointer: f.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}`, alternatives: [JSON.stringify(p.allowedValue)] };
  if (f.keyword === 'enum' && Array.isArray(p.allowedValues)) {
    const values = p.allowedValues.map((v) => JSON.stringify(v));
    return { ...base, pointer: f.instancePath, message: `must be one of: ${values.join(', ')}`, alternatives: values };
  }
  if (f.keyword === 'type') {
    const types = String(p.type ?? '').split(',').map((t) => TYPE_WORDS[t] ?? t);
    return { ...base, pointer: f.instancePath, message: `must be ${orList(types)}`, alternatives: types };
  }
  return { ...base, pointer: f.instancePath, message: f.message ?? 'is not valid' };
}

const orList = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`);
const within = (pointer: string, root: string) => pointer === root || pointer.startsWith(`${root}/`);

/** Folds one failed union (anyOf/oneOf) at `at`, given the findings of its branches. */
function foldUnion(at: Finding, branches: Finding[][]): Finding[] {
  const all = branches.flat();
  // Every branch failed on the value itself for its type or constant: list what it may be.
  if (all.length && all.every((f) => f.pointer === at.pointer && f.alternatives)) {
    const alternatives = [...new Set(all.flatMap((f) => f.alternatives!))];
    const constants = alternatives.filter((a) => !Object.values(TYPE_WORDS).includes(a));
    const message = constants.length === alternatives.length ? `must be one of: ${alternatives.join(', ')}` : `must be ${orList(alternatives)}`;
    return [{ ...at, message, alternatives }];
  }
  // Otherwise the branches the value was not meant for: the wrong type altogether, or another
  // constant in a field directly under it (a discriminator such as `method`).
  const directChild = (f: Finding) => f.pointer !== at.pointer && !f.pointer.slice(at.pointer.length + 1).includes('/');
  const ruledOut = (b: Finding[]) => b.some((f) => f.alternatives && (f.pointer === at.pointer || (f.keyword !== 'type' && directChild(f))));
  const candidates = branches.filter((b) => b.length && !ruledOut(b));
  if (candidates.length) {
    const fewest = candidates.reduce((a, b) => (b.length < a.length ? b : a));
    return fewest.map((f) => ({ ...f, schemaPath: at.schemaPath }));
  }
  // No branch fits: say what the discriminator may be, if the branches share one.
  const discriminators = all.filter((f) => f.alternatives && f.pointer !== at.pointer && f.keyword !== 'type');
  const pointers = new Set(discriminators.map((f) => f.pointer));
  if (discriminators.length && pointers.size === 1) {
    return [{ ...discriminators[0], message: `must be one of: ${[...new Set(discriminators.flatMap((f) => f.alternatives!))].join(', ')}`, schemaPath: at.schemaPath }];
  }
  return [{ ...at, message: 'does not match any of the allowed forms' }];
}

/**
 * The `errors` of a validation problem from the findings of one part of the request (Fastify's
 * `validationContext`): unions folded, one entry per field, messages joined.
 */
export function fieldErrors(findings: SchemaFinding[], context: string | undefined): FieldError[] {
  const part = REQUEST_PART[context ?? 'body'] ?? 'body';
  // A union's findings are those right before it (ajv reports them as it tries each branch) at or
  // under its pointer; fold from the innermost out, as ajv reports inner unions first.
  let list: Array<Finding & { raw?: SchemaFinding }> = [];
  for (const f of findings) {
    if (f.keyword !== 'anyOf' && f.keyword !== 'oneOf') {
      list.push({ ...leaf(f), raw: f });
      continue;
    }
    const at: Finding = { pointer: f.instancePath, message: f.message ?? 'is not valid', keyword: f.keyword, schemaPath: f.schemaPath };
    let start = list.length;
    while (start > 0 && within(list[start - 1].pointer, at.pointer) && list[start - 1].schemaPath !== at.schemaPath) start--;
    // Findings inside a $ref carry the referenced schema's path, not the union's: a run of them
    // belongs to the branch between the named ones around it (a branch that is only a $ref, as in
    // a nullable reference), else to the branch before it.
    const prefix = `${at.schemaPath}/`;
    const taken = list.slice(start);
    const indexOf = (fi: Finding) => (fi.schemaPath.startsWith(prefix) ? Number(fi.schemaPath.slice(prefix.length).split('/')[0]) : NaN);
    const branches: Finding[][] = [];
    let last = -1;
    let pending: Finding[] = [];
    const settle = (next: number) => {
      if (!pending.length) return;
      const b = next - last > 1 ? last + 1 : Math.max(last, 0);
      (branches[b] ??= []).push(...pending);
      pending = [];
    };
    for (const fi of taken) {
      const b = indexOf(fi);
      if (Number.isNaN(b)) {
        pending.push(fi);
        continue;
      }
      settle(b);
      (branches[b] ??= []).push(fi);
      last = b;
    }
    settle(Number.MAX_SAFE_INTEGER);
    list = [...list.slice(0, start), ...foldUnion(at, branches.filter(Boolean))];
  }
  const byField = new Map<string, string[]>();
  for (const f of list) {
    const messages = byField.get(f.pointer) ?? [];
    if (!messages.includes(f.message)) messages.push(f.message);
    byField.set(f.pointer, messages);
  }
  return [...byField].map(([field, messages]) => ({ field: field as FieldError['field'], in: part, message: messages.join('; ') }));
}

/** `/email (must match format "email")`, or `query /limit (…)` outside the body, for a problem's detail. */
export function describeFieldError(e: FieldError): string {
  const where = e.in && e.in !== 'body' ? `${e.in} ${e.field || '(the whole query)'}` : e.field || 'the body';
  return `${where} (${e.message})`;
}
