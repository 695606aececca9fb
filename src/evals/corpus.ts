import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';

/** One corpus document; `summary` is a reference summary when the corpus has one. */
export const CorpusDocument = z.object({
  id: z.string().min(1),
  title: z.string().optional(),
  document: z.string().min(1),
  summary: z.string().optional(),
});
export type CorpusDocument = z.infer<typeof CorpusDocument>;

/**
 * Reads a corpus: a folder of .md/.txt files (title from a leading `# ` heading, id from the
 * file name; README.md is skipped) or a JSONL file of `{ id, title?, document, summary? }`.
 */
export function loadCorpus(path: string, limit = Infinity): CorpusDocument[] {
  const documents = statSync(path).isDirectory() ? fromFolder(path) : fromJsonl(path);
  if (documents.length === 0) throw new Error(`${path}: no documents found`);
  return documents.slice(0, limit);
}

function fromFolder(dir: string): CorpusDocument[] {
  return readdirSync(dir)
    .filter((name) => ['.md', '.txt'].includes(extname(name)) && name.toLowerCase() !== 'readme.md')
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
      return { id: basename(name, extname(name)), ...(title ? { title } : {}), document: text };
    });
}

function fromJsonl(file: string): CorpusDocument[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, index }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${index + 1}: not valid JSON`);
      }
      const parsed = CorpusDocument.safeParse(value);
      if (!parsed.success)
        throw new Error(
          `${file}:${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      return {
        id: parsed.data.id,
        document: parsed.data.document,
        ...(parsed.data.title ? { title: parsed.data.title.slice(0, 500) } : {}),
        ...(parsed.data.summary ? { summary: parsed.data.summary } : {}),
      };
    });
}
