import { z } from 'zod';
import { codeToStatus, ErrorBody, type ErrorCode } from '../errors.js';
import { apiTags, type ApiOperation, type Body } from './operation.js';

/*
 * Why zod's own z.toJSONSchema and operations written beside each route, not a library:
 * - @hono/zod-openapi wants every route rewritten as createRoute() + app.openapi(), with its own
 *   validator hook in place of parseInput. POST /v1/briefs reads JSON, multipart and raw bodies
 *   by hand and GET /v1/briefs/:id/events streams, so those would stay hand-written anyway.
 * - hono-openapi keeps the routes but brings a validator and a schema-conversion layer of its own
 *   (standard-schema → JSON Schema) beside the zod 4 converter we already ship.
 * - Here each route module's operations hold the very schema objects its handlers parse with
 *   and answer with, zod 4 converts them (JSON Schema 2020-12 is OpenAPI 3.1's dialect), and
 *   nothing is added to the Worker bundle. What a library would guarantee by construction —
 *   every route documented — test/openapi.routes.test.ts checks against `app.routes` instead.
 *
 * Named components are the schemas given an id with `.meta({ id })` where they are defined
 * (zod's global registry): BriefView in src/briefs/view.ts, BriefList in src/routes/briefs.ts.
 */

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

const componentRef = (id: string) => `#/components/schemas/${id}`;

/**
 * The OpenAPI 3.1 document of the API made of `operations` (every route module's, collected by
 * src/app.ts). Pure: build it once and serve the result.
 */
export function buildOpenApiSpec(options: {
  version: string;
  operations: readonly ApiOperation[];
}): OpenApiDocument {
  const idOf = (schema: z.ZodType) => z.globalRegistry.get(schema)?.id;
  if (idOf(ErrorBody) !== 'Error') throw new Error('ErrorBody must be the component "Error"');
  const { schemas } = z.toJSONSchema(z.globalRegistry, { uri: componentRef });
  if ('__shared' in schemas)
    throw new Error('A schema is shared without a name: give it one with .meta({ id })');
  // `$id` would be the component's own `#/components/...` address: a fragment, which 2020-12 does not allow in `$id`.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }

  const responseSchema = (body: Body, where: string) => {
    if (!(body instanceof z.ZodType)) return body.schema;
    const id = idOf(body);
    if (!id) throw new Error(`${where}: the response schema has no component id (.meta({ id }))`);
    return { $ref: componentRef(id) };
  };

  const paths: OpenApiDocument['paths'] = {};
  for (const operation of options.operations) {
    const where = `${operation.method.toUpperCase()} ${operation.path}`;
    const responses: Record<string, unknown> = {};
    const caching = operation.caching && {
      ETag: 'The strong entity tag of this body (its sha256): send it back in If-None-Match',
      'Cache-Control': operation.caching,
    };
    for (const [status, response] of Object.entries(operation.responses)) {
      const headers = { ...response.headers, ...(status === '200' && caching) };
      responses[status] = {
        description: response.description,
        ...(Object.keys(headers).length > 0 && { headers: headerObjects(headers) }),
        content: Object.fromEntries(
          Object.entries(response.content).map(([mediaType, body]) => [
            mediaType,
            {
              schema: responseSchema(body, where),
              ...(!(body instanceof z.ZodType) &&
                body.events && { 'x-event-data': responseSchema(body.events, where) }),
            },
          ]),
        ),
      };
    }
    if (caching)
      responses[304] = {
        description: 'Not modified: If-None-Match names the current ETag (no body)',
        headers: headerObjects(caching),
      };
    Object.assign(responses, errorResponses(operation));
    (paths[operation.path] ??= {})[operation.method] = {
      operationId: operation.operationId,
      tags: [operation.tag],
      summary: operation.summary,
      ...(operation.description && { description: operation.description }),
      parameters: [
        ...pathParameters(operation),
        ...(operation.query ? queryParameters(operation.query) : []),
        ...(caching ? [IF_NONE_MATCH] : []),
      ],
      ...(operation.body && {
        requestBody: {
          required: true,
          description: operation.body.description,
          content: Object.fromEntries(
            Object.entries(operation.body.content).map(([mediaType, body]) => [
              mediaType,
              { schema: requestSchema(body) },
            ]),
          ),
        },
      }),
      ...(operation.write && { security: [{ bearerAuth: [] }] }),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Parallax API',
      version: options.version,
      summary: 'Neutral, cited briefs and counter-perspective notes for policy documents.',
      description:
        'POST a document and get a brief; fetch cached briefs; compare output across prompt versions. ' +
        'Errors are `{ "error": { "code", "message", "requestId", "details"? } }` with a closed set of codes.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            "One of the server's API_TOKENS. Writes need it when API_TOKENS is set; reads never do.",
        },
      },
    },
  };
}

/** Error responses by status, each an Error whose `code` is one of the codes the route may answer with there. */
function errorResponses(operation: ApiOperation): Record<string, unknown> {
  const codes = new Set<ErrorCode>(operation.errors);
  if (operation.path.startsWith('/v1/')) codes.add('rate_limited').add('internal');
  if (operation.write) codes.add('unauthorized').add('payload_too_large');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes)
    byStatus.set(codeToStatus[code], [...(byStatus.get(codeToStatus[code]) ?? []), code]);
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[status] = {
      description: list.map((code) => `\`${code}\``).join(', '),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: componentRef('Error') },
              { properties: { error: { properties: { code: { enum: list } } } } },
            ],
          },
        },
      },
    };
  }
  return out;
}

/** Response headers, each a string with its description. */
function headerObjects(headers: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [
      name,
      { description, schema: { type: 'string' } },
    ]),
  );
}

const IF_NONE_MATCH = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description:
    'ETags of copies the client holds (or *): when one is current the answer is 304 with no body (weak comparison, RFC 9110 §13.1.2)',
  schema: { type: 'string' },
};

function pathParameters(operation: ApiOperation) {
  return Object.entries(operation.pathParams ?? {}).map(([name, description]) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string' },
  }));
}

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
};

/**
 * Query parameters from the zod schema the route parses its query with, read as input (before
 * coercion and defaults). A union of objects (GET /v1/compare) gives the parameters of every
 * branch; a parameter is required only when every branch requires it.
 */
function queryParameters(query: z.ZodType) {
  const json = z.toJSONSchema(query, { io: 'input' }) as JsonSchema;
  const branches = json.anyOf ?? json.oneOf ?? [json];
  const names = [
    ...new Set(
      (branches as JsonSchema[]).flatMap((branch) => Object.keys(branch.properties ?? {})),
    ),
  ];
  return names.map((name) => {
    const { description, ...schema } = (branches as JsonSchema[]).find(
      (branch) => branch.properties?.[name],
    )!.properties![name]!;
    const required = (branches as JsonSchema[]).every((branch) => branch.required?.includes(name));
    return { name, in: 'query', required, ...(description ? { description } : {}), schema };
  });
}

function requestSchema(body: Body) {
  if (!(body instanceof z.ZodType)) return body.schema;
  const { $schema: _ignored, ...schema } = z.toJSONSchema(body, { io: 'input' }) as JsonSchema;
  return schema;
}
