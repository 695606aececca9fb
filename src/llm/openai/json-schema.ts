import { z } from 'zod';

/** A JSON schema, as plain data. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The JSON schema of a zod schema in the form OpenAI's strict structured outputs accept:
 * no `$schema`, every object closed (`additionalProperties: false`) with every property
 * listed in `required`.
 *
 * Strict mode has no optional properties, so a zod `.optional()` field becomes required here
 * and the model will always send it; express "may be absent" as `.nullable()` in schemas meant
 * for a model. Open-ended objects (`z.record`) cannot be expressed at all and are refused.
 */
export function toStrictJsonSchema(schema: z.ZodType): JsonSchema {
  const cached = cache.get(schema);
  if (cached) return cached;
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
  }) as JsonSchema;
  const strict = close(json, '#') as JsonSchema;
  cache.set(schema, strict);
  return strict;
}

/** `response_format` for Chat Completions with a strict json_schema built from `schema`. */
export function jsonSchemaResponseFormat(name: string, schema: z.ZodType) {
  return {
    type: 'json_schema' as const,
    json_schema: {
      // OpenAI accepts [a-zA-Z0-9_-]{1,64} as a schema name.
      name: name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'output',
      strict: true,
      schema: toStrictJsonSchema(schema),
    },
  };
}

/**
 * The system-message addition for JSON mode (`response_format: json_object`), which carries no
 * schema of its own: the strict JSON schema of `schema`, spelled out for the model.
 */
export function jsonModeInstruction(schema: z.ZodType): string {
  return (
    'Respond with one JSON object and nothing else. It must conform to this JSON schema:\n' +
    JSON.stringify(toStrictJsonSchema(schema))
  );
}

// Converted once per schema object: the same output schema is sent on every call.
const cache = new WeakMap<z.ZodType, JsonSchema>();

function close(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((item, index) => close(item, `${path}/${index}`));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` maps names to schemas: its keys are data, not keywords, so only its values
    // recurse.
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value).map(([name, child]) => [
              name,
              close(child, `${path}/properties/${name}`),
            ]),
          )
        : close(value, `${path}/${key}`);
  }
  if (out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'))) {
    if (out.additionalProperties !== undefined && out.additionalProperties !== false) {
      throw new Error(
        `strict JSON schema: the open-ended object at ${path} (a record?) cannot be expressed`,
      );
    }
    const properties = (out.properties ?? {}) as JsonSchema;
    out.properties = properties;
    out.required = Object.keys(properties);
    out.additionalProperties = false;
    delete out.propertyNames;
  }
  return out;
}
