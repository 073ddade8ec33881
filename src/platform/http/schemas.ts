// Schemas shared by many routes. Each has an $id, is registered once with `app.addSchema`, and is
// referenced by `ref(...)`, so the OpenAPI document shows named components.
import Type, { type Static, type TSchema } from 'typebox';

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
      Type.Array(Type.Object({ field: Type.String({ description: 'JSON pointer of the field, e.g. /email.' }), message: Type.String() })),
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

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
