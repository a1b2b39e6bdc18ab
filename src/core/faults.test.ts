/**
 * Schema failures in words: what each schema kind accepts, and the one fault per place
 * that a client sees. Expected texts are written by hand from the schemas below.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { describeSchema, expecting, friendlyFaults, type SchemaNode } from './faults.js';

const node = (s: unknown): SchemaNode => s as SchemaNode;

describe('describeSchema', () => {
  it.each([
    [Type.String({ minLength: 1, maxLength: 200 }), 'a string of 1-200 characters'],
    [Type.String({ maxLength: 512 }), 'a string of at most 512 characters'],
    [
      Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
      'a string of 1-100 characters from A-Za-z0-9_.:-',
    ],
    [Type.String({ pattern: '^a|b$' }), 'a string matching ^a|b$'],
    [Type.Integer({ minimum: 0, maximum: 6 }), 'an integer from 0 to 6'],
    [Type.Integer({ minimum: 1 }), 'an integer of at least 1'],
    [Type.Number(), 'a number'],
    [Type.Boolean(), 'true or false'],
    [Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('c')]), 'one of a, b, c'],
    [Type.Union([Type.String({ maxLength: 5 }), Type.Null()]), 'a string of at most 5 characters or null'],
    [Type.Union([Type.String(), Type.Number(), Type.Boolean()]), 'a string, a number or true or false'],
    [Type.Array(Type.Integer(), { minItems: 1, maxItems: 3 }), 'a list of 1-3 items, each an integer'],
    [Type.Tuple([Type.Literal('x'), Type.Number()]), 'a list ["x", a number]'],
    [Type.Object({ a: Type.String(), b: Type.Number() }), 'an object with a, b'],
    [
      Type.Record(Type.String(), Type.Number(), { maxProperties: 4 }),
      'an object of at most 4 keys whose values are each a number',
    ],
  ])('%j', (schema, words) => {
    expect(describeSchema(node(schema))).toBe(words);
  });

  it('uses the words a schema was given, also on a copy of it', () => {
    const s = expecting(Type.Union([Type.String(), Type.Number()]), 'a time');
    expect(describeSchema(node(s))).toBe('a time');
    expect(describeSchema(node(JSON.parse(JSON.stringify(s))))).toBe('a time');
    expect(describeSchema(node(Type.Optional(s)))).toBe('a time');
  });
});

describe('friendlyFaults', () => {
  const obj = Type.Object({
    bucket: Type.Union([Type.Literal('day'), Type.Literal('week')]),
    group_by: Type.String(),
  });
  const bucket = node(obj.properties.bucket);

  it('one fault per place: required wins over the type complaint at the same place', () => {
    const out = friendlyFaults(
      [
        { path: '/group_by', kind: 'invalid', schema: node(obj.properties.group_by), value: undefined },
        { path: '/group_by', kind: 'required', schema: node(obj.properties.group_by) },
      ],
      { noun: 'field' },
    );
    expect(out).toEqual([{ path: '/group_by', message: 'is required: a string' }]);
  });

  it('lists the accepted values once and guesses the one meant', () => {
    const seven = ['day', 'week'].map(() => ({
      path: '/bucket',
      kind: 'invalid' as const,
      schema: bucket,
      value: 'daily',
    }));
    expect(friendlyFaults(seven, { noun: 'parameter', name: (p) => p.slice(1) })).toEqual([
      { path: 'bucket', message: 'must be one of day, week; did you mean day?' },
    ]);
  });

  it('names an unknown key, guessing the known one, or listing them', () => {
    const faults = (name: string) =>
      friendlyFaults([{ path: `/${name}`, kind: 'unknown', schema: node(obj) }], { noun: 'parameter' });
    expect(faults('groupBy')).toEqual([
      { path: '/groupBy', message: 'is not a known parameter; did you mean group_by?' },
    ]);
    expect(faults('zzzzzz')).toEqual([
      { path: '/zzzzzz', message: 'is not a known parameter; known: bucket, group_by' },
    ]);
  });

  it('says what type came instead, and leaves a union to its deeper fault', () => {
    const out = friendlyFaults(
      [
        {
          path: '/f',
          kind: 'invalid',
          schema: node(Type.Union([Type.String(), Type.Array(Type.Array(Type.String()))])),
          value: [[1]],
        },
        { path: '/f/0/0', kind: 'invalid', schema: node(Type.String()), value: 1 },
        { path: '/n', kind: 'invalid', schema: node(Type.Integer({ minimum: 0, maximum: 6 })), value: 'x' },
        { path: '/m', kind: 'invalid', schema: node(Type.Integer({ minimum: 0, maximum: 6 })), value: 9 },
      ],
      { noun: 'parameter' },
    );
    expect(out).toEqual([
      { path: '/f/0/0', message: 'must be a string (got an integer)' },
      { path: '/n', message: 'must be an integer from 0 to 6 (got a string)' },
      { path: '/m', message: 'must be an integer from 0 to 6' },
    ]);
  });
});
