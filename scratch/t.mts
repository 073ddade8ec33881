import Type from 'typebox';
import Value from 'typebox/value';
const S = Type.Object({ port: Type.Integer({ minimum: 1, maximum: 65535 }), a: Type.Optional(Type.String({format:'uri'})) }, { additionalProperties: false });
console.log(Value.Errors(S, { port: 0, b: 1, a: 'x' }));
console.log(Value.Convert(S, { port: '12' }));
console.log(Object.keys(Type).slice(0,80).join(' '));
