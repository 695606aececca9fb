import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

// ajv-formats is CommonJS; under ESM its function is the default export's default.
const addFormats =
  (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

export type OpenApiSpec = {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  [key: string]: unknown;
};
export type OperationObject = {
  operationId: string;
  responses: Record<
    string,
    { content?: Record<string, { schema: unknown; 'x-event-data'?: unknown }> }
  >;
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: { name: string; in: string; schema: unknown }[];
  [key: string]: unknown;
};

/** `/v1/briefs/{id}` → a regex matching `/v1/briefs/brf_…`. */
const templateRegex = (template: string) =>
  new RegExp(`^${template.replace(/\{[^/}]+\}/g, '[^/]+')}$`);
const pointer = (...segments: string[]) =>
  `#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/**
 * Validates real responses against the served OpenAPI document with a JSON Schema 2020-12
 * validator (the dialect of OpenAPI 3.1), so what is checked is the spec itself, not the zod
 * schemas it was generated from.
 */
export function specChecker(spec: OpenApiSpec) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(spec, 'spec');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let validate = compiled.get(ref);
    if (!validate) compiled.set(ref, (validate = ajv.compile({ $ref: `spec${ref}` })));
    return validate;
  };
  const templates = Object.keys(spec.paths);
  const seen = new Set<string>();

  /** The spec's path template for a concrete request path. */
  function templateOf(path: string): string {
    const matches = templates.filter((template) => templateRegex(template).test(path));
    expect(matches, `no path of the spec matches ${path}`).toHaveLength(1);
    return matches[0]!;
  }

  function expectValid(ref: string, value: unknown, what: string) {
    const validate = validator(ref);
    const valid = validate(value);
    expect(
      valid,
      `${what} does not match ${ref}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`,
    ).toBe(true);
  }

  return {
    spec,
    /** `<operationId> <status>` of every response checked so far. */
    seen,
    templateOf,

    /** True when `value` is valid for the request body the spec documents for this media type. */
    requestValid(method: string, template: string, mediaType: string, value: unknown): boolean {
      return validator(
        pointer('paths', template, method, 'requestBody', 'content', mediaType, 'schema'),
      )(value);
    },

    /** True when `value` is valid for the documented query parameter. */
    parameterValid(method: string, template: string, name: string, value: unknown): boolean {
      const index = spec.paths[template]![method]!.parameters!.findIndex(
        (parameter) => parameter.name === name,
      );
      expect(index, `${method} ${template} documents no parameter ${name}`).toBeGreaterThanOrEqual(
        0,
      );
      return validator(pointer('paths', template, method, 'parameters', String(index), 'schema'))(
        value,
      );
    },

    /**
     * Checks that the spec documents this response — its status for the operation, its media
     * type — and that the body validates against the documented schema (each event's `data`
     * for text/event-stream). Returns the body: parsed JSON, or text.
     */
    async check(method: string, path: string, response: Response): Promise<any> {
      const template = templateOf(new URL(path, 'http://x').pathname);
      const operation = spec.paths[template]![method.toLowerCase()];
      expect(operation, `the spec has no ${method} ${template}`).toBeDefined();
      const where = `${method} ${path} → ${response.status}`;
      const documented = operation!.responses[String(response.status)];
      expect(
        documented,
        `${where}: status ${response.status} is not documented for ${operation!.operationId}`,
      ).toBeDefined();
      if (!documented!.content) {
        // A response documented without content (304): it has none.
        seen.add(`${operation!.operationId} ${response.status}`);
        expect(await response.text(), `${where}: a body where none is documented`).toBe('');
        return undefined;
      }
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
      const content = documented!.content?.[mediaType];
      expect(
        content,
        `${where}: ${mediaType} is not documented (documented: ${Object.keys(documented!.content ?? {}).join(', ')})`,
      ).toBeDefined();
      seen.add(`${operation!.operationId} ${response.status}`);
      const base = [
        'paths',
        template,
        method.toLowerCase(),
        'responses',
        String(response.status),
        'content',
        mediaType,
      ];

      const text = new Uint8Array(await response.arrayBuffer());
      if (mediaType === 'text/event-stream') {
        expect(content!['x-event-data'], `${where}: no x-event-data schema`).toBeDefined();
        const events = parseEvents(new TextDecoder().decode(text));
        expect(events.length).toBeGreaterThan(0);
        for (const event of events) {
          expectValid(
            pointer(...base, 'x-event-data'),
            event.data,
            `${where}: event ${event.event}`,
          );
          expect(event.event).toBe((event.data as { type: string }).type);
        }
        return events;
      }
      if (!isText(mediaType) && mediaType !== 'application/json') {
        expect(text.length, `${where}: an empty file`).toBeGreaterThan(0); // bytes: nothing for JSON Schema to check
        return text;
      }
      const decoded = new TextDecoder().decode(text);
      const body = mediaType === 'application/json' ? JSON.parse(decoded) : decoded;
      expectValid(pointer(...base, 'schema'), body, where);
      return body;
    },
  };
}
export type SpecChecker = ReturnType<typeof specChecker>;

const isText = (mediaType: string) =>
  mediaType.startsWith('text/') || mediaType.endsWith('javascript');

/** A server-sent event stream, read to its end: each event's name and JSON data. */
export function parseEvents(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
      return { event: field('event'), data: JSON.parse(field('data')) as unknown };
    });
}
