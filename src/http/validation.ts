/**
 * Schema validators: bodies are checked as sent (no type coercion, so a JSON
 * null stays null), while query strings and path params, which are text by
 * nature, are coerced to the schema's types (and single values to arrays).
 * `verbose` makes each error carry its schema and data, so that a failure can say
 * what is accepted (core/faults.ts); it costs nothing on valid input.
 */
import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

const strict = new Ajv({
  allErrors: true,
  verbose: true,
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
});
const coercing = new Ajv({
  allErrors: true,
  verbose: true,
  coerceTypes: 'array',
  useDefaults: true,
  removeAdditional: false,
  strict: false,
});

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object);
};
