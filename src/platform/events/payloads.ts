// Building blocks of the modules' event payload schemas (src/modules/*/events.ts), so that the same
// things read the same way in every payload: ids are strings, money is integer minor units with a
// currency, moments are ISO 8601 texts.
import Type, { type Static, type TSchema } from 'typebox';

/** An id (`ord_…`, `var_…`); `what` names what it is the id of. */
export const Id = (what?: string) => Type.String(what ? { description: what } : {});
/** A value or null. */
export const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) => Type.Union([schema, Type.Null()], options);
/** An amount of money in minor units (cents) of the payload's currency. */
export const Cents = (description?: string) => Type.Integer(description ? { description } : {});
/** A count of items, never fractional. */
export const Quantity = (description?: string) => Type.Integer(description ? { description } : {});
/** An ISO 4217 currency code. */
export const Currency = Type.String({ description: 'ISO 4217 code, e.g. EUR' });
/** A moment, in ISO 8601 (UTC). */
export const Moment = Type.String({ format: 'date-time' });
/** One of a fixed set of texts. */
export const OneOf = <const T extends readonly string[]>(values: T, description?: string) => Type.Enum(values as unknown as T[number][], description ? { description } : {});
/** An object whose keys are not fixed (traits, rules, settings chosen by the merchant). */
export const OpenObject = (description?: string) => Type.Record(Type.String(), Type.Unknown(), description ? { description } : {});
/** Who did something, as on the event's envelope. */
export const ActorSchema = Type.Object({
  type: OneOf(['staff', 'api_key', 'customer', 'system', 'anonymous'] as const),
  id: Type.Optional(Type.String()),
  label: Type.Optional(Type.String()),
});
/** An array the emitting code holds as `readonly` (the payload is the same JSON array). */
export const ListOf = <T extends TSchema>(items: T, options: { description?: string } = {}) => Type.Unsafe<readonly Static<T>[]>(Type.Array(items, options));
