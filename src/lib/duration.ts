import { z } from 'zod';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * An age such as `30d`: a whole number and one unit (s, m, h, d, w), parsed to milliseconds.
 * Its own module so the CLI checks `--older-than` as the API will without loading the database.
 */
export const Duration = z
  .string()
  .trim()
  .regex(/^\d{1,6}[smhdw]$/, 'a whole number and a unit: s, m, h, d or w (e.g. 30d, 12h)')
  .transform((value) => Number(value.slice(0, -1)) * UNIT_MS[value.at(-1) as keyof typeof UNIT_MS]);
