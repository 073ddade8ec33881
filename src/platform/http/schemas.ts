// Schemas shared by many routes. Each has an $id, is registered once with `app.addSchema`, and is
// referenced by `ref(...)`, so the OpenAPI document shows named components.
import Type, { type Static, type TLiteral, type TSchema, type TSchemaOptions, type TUnion } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URL naming the kind of problem; stable, safe to branch on.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String({ description: 'What went wrong and what to change.' })),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Short machine-readable form of `type`.' }),
    requestId: Type.String({ description: 'Quote this when asking for help; it is in the server log too.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'A JSON Pointer (RFC 6901) to the field in the part of the request named by `in`: `/email`, `/lines/0/sku`; empty for that part as a whole.' }),
          in: Type.Union([Type.Literal('body'), Type.Literal('query'), Type.Literal('path'), Type.Literal('header')], { description: 'Where the field is: the JSON body, the query string, the path or a header (header names in lower case).' }),
          message: Type.String({ description: 'What is wrong with it.' }),
        }),
        { description: 'One entry per field that is wrong.' },
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details.' },
);

export const SHARED_SCHEMAS: TSchema[] = [Problem];

/** A $ref to a registered schema that keeps the schema's static type for handlers. */
export function ref<T extends TSchema>(schema: T): T {
  const id = (schema as { $id?: string }).$id;
  if (!id) throw new Error('ref() needs a schema with an $id');
  return Type.Ref(id) as unknown as T;
}

/**
 * A union of string literals made from a list of names (`anyOf` of `const`s, as `Type.Union` of
 * `Type.Literal`s writes it). Mapping a list with `Type.Literal` gives an array, not a tuple, and
 * the static type of a union of an array is `never`; this keeps each name in the type.
 */
export function literalUnion<const T extends readonly string[]>(values: T, options?: TSchemaOptions): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((v) => Type.Literal(v)), options) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1–200).' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'The `nextCursor` of the previous page.' })),
});
export type PageQueryT = Static<typeof PageQuery>;

/** The list envelope every paged route answers with. */
export function Page<T extends TSchema>(item: T, name: string) {
  return Type.Object(
    {
      data: Type.Array(item),
      hasMore: Type.Boolean(),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last.' }),
    },
    { $id: `${name}Page` },
  );
}

/** Who did something: a staff user, an API key, a customer, the system (a job) or an anonymous caller. */
export const ActorOut = Type.Object(
  {
    type: Type.String({ description: 'staff, api_key, customer, system or anonymous' }),
    id: Type.Optional(Type.String({ description: 'stf_…, key_…, cus_…' })),
    label: Type.Optional(Type.String({ description: 'e.g. the staff user’s e-mail or the key’s name' })),
  },
  { description: 'Who did it.' },
);

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/**
 * A response schema that also declares the headers the route sends with it, for the OpenAPI
 * document: `etag` (the resource's version, for If-Match) and `location` (where a created resource
 * is). The body schema is unchanged.
 */
export function withHeaders<T extends TSchema>(schema: T, ...names: Array<'etag' | 'location'>): T {
  const headers = Object.fromEntries(names.map((n) => [n, { type: 'string' }]));
  return { ...schema, headers } as T;
}

/**
 * Route config for a body the route reads itself, unparsed or as a stream (a file upload, a
 * beacon's text): the OpenAPI document shows `body` (per content type), while Fastify does not
 * validate it, which it could not do for a stream. For JSON bodies declare `schema.body` instead.
 */
export function documentedBody(content: Record<string, { schema: TSchema | Record<string, unknown> }>, description?: string) {
  return {
    swaggerTransform: ({ schema, url }: { schema: unknown; url: string }) => ({ schema: { ...(schema as object), body: { content, ...(description ? { description } : {}) } }, url }),
  };
}
