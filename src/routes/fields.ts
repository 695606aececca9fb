import { z } from 'zod';

/**
 * Field schemas used in more than one place — the API's routes, the web UI's forms and the
 * CLI — defined once so the same input gets the same answer everywhere. Text fields are
 * trimmed; what a value must name (a published prompt version, a provider this server has) is
 * checked by the domain after parsing, so `brief@99` is 404 `unknown_prompt` on every route.
 *
 * None has a component id: they are parameters and fields, inlined in the spec.
 */

export const PromptRef = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe(
    "A prompt version: name@N, or name / name@latest for the newest (default: the server's DEFAULT_PROMPT)",
  );

export const ProviderName = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .describe(
    "openai or local, of those the server has (GET /healthz lists them; default: the server's)",
  );

export const ModelName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe("The model (default: the provider's)");

export const Title = z
  .string()
  .max(500)
  .describe("The document's title (default: read from HTML or PDF)");

export const DocumentId = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{64}$/, 'a document id is 64 hex digits')
  .describe('A document id: sha256 of its normalized text');

/** Prompt refs separated by commas, as the CLI's `--prompts` takes them. */
export const PromptRefList = z
  .string()
  .transform((value) => value.split(','))
  .pipe(z.array(PromptRef).min(1));

/** A page size, 1–100 (default 20). */
export const PageLimit = z.coerce.number().int().min(1).max(100).default(20);

export const Cursor = z.string().max(200).describe('The `nextCursor` of the previous page');

/** How long to wait for a brief before answering 202. */
export const WaitSeconds = z.coerce.number().min(0).max(600);

/**
 * A form's fields as the schemas above expect them: browsers send every field, an unset one as
 * an empty string, so a blank value means "not given" (and is dropped) rather than "empty".
 */
export function givenFields(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
}
