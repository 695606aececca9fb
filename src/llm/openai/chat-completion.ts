import { z } from 'zod';

/** The fields of a chat completion this provider reads (parsed, because it comes from outside). */
export const Completion = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() })
    .nullish(),
});

/** A chat completion as far as this provider reads it. */
export type Completion = z.infer<typeof Completion>;
