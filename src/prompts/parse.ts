import { parse as parseYaml } from 'yaml';
import { sha256Hex } from '../lib/hash.js';
import { PromptFrontMatter, type Prompt } from './prompt.js';
import { OPTIONAL_SECTIONS, SECTIONS, templateProblems, type Section } from './render.js';

/** A prompt file as read from disk or bundled at build time; `path` is `prompts/<name>/v<N>.md`. */
export interface PromptFile {
  path: string;
  source: string;
}

/** A prompt file that cannot be loaded; the message starts with the file's path. */
export class PromptFileError extends Error {
  override readonly name = 'PromptFileError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

const PATH = /^prompts\/([a-z][a-z0-9-]*)\/v([1-9][0-9]*)\.md$/;
const HEADING = /^# (system|map|reduce|perspectives)$/;

/**
 * Parses one prompt version: YAML front matter checked by `PromptFrontMatter`, then the three
 * sections, each opened by a line that is exactly `# system`, `# map` or `# reduce`, and
 * optionally `# perspectives` (any other line, `## Output` included, is template text). The sha256 covers the exact source, which is
 * what the lock file pins.
 */
export async function parsePrompt(file: PromptFile): Promise<Prompt> {
  const { path, source } = file;
  const fail = (detail: string) => new PromptFileError(path, detail);

  const location = PATH.exec(path);
  if (!location)
    throw fail('a prompt file must be named prompts/<name>/v<N>.md (name: a-z, 0-9, -; N ≥ 1)');
  // The lock pins exact bytes: a checkout that rewrites line endings would look like an edit.
  if (source.includes('\r')) throw fail('use LF line endings (the lock pins the exact bytes)');

  const lines = source.split('\n');
  if (lines[0] !== '---') throw fail('must start with YAML front matter (a first line "---")');
  const close = lines.indexOf('---', 1);
  if (close === -1) throw fail('front matter is not closed by a line "---"');

  let data: unknown;
  try {
    data = parseYaml(lines.slice(1, close).join('\n'));
  } catch (error) {
    throw fail(`front matter is not valid YAML: ${(error as Error).message}`);
  }
  const frontMatter = PromptFrontMatter.safeParse(data ?? {});
  if (!frontMatter.success) {
    const issues = frontMatter.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(front matter)';
      return `front matter field "${field}": ${issue.message}`;
    });
    throw fail(issues.join('; '));
  }
  const { name, version, description, params } = frontMatter.data;
  if (name !== location[1])
    throw fail(`front matter name "${name}" does not match the path (expected "${location[1]}")`);
  if (version !== Number(location[2])) {
    throw fail(`front matter version ${version} does not match the path (expected ${location[2]})`);
  }

  const templates = splitSections(lines.slice(close + 1), fail);
  for (const section of [...SECTIONS, ...OPTIONAL_SECTIONS]) {
    const template = templates[section];
    if (template === undefined) continue;
    const problems = templateProblems(section, template);
    if (problems.length > 0) throw fail(`section "# ${section}": ${problems.join('; ')}`);
  }

  return {
    name,
    version,
    ref: `${name}@${version}`,
    description,
    params,
    templates,
    sha256: await sha256Hex(source),
    source,
  };
}

function splitSections(body: string[], fail: (detail: string) => Error): Prompt['templates'] {
  const found = new Map<Section, string[]>();
  let current: string[] | undefined;
  for (const line of body) {
    const heading = HEADING.exec(line);
    if (heading) {
      const section = heading[1] as Section;
      if (found.has(section)) throw fail(`section "# ${section}" appears twice`);
      current = [];
      found.set(section, current);
    } else if (current) {
      current.push(line);
    } else if (line.trim() !== '') {
      throw fail('text between the front matter and the first section heading');
    }
  }
  const missing = SECTIONS.filter((section) => !found.has(section));
  if (missing.length > 0) {
    const headings = missing.map((section) => `"# ${section}"`).join(', ');
    throw fail(`missing section ${headings} (a line that is exactly the heading)`);
  }
  const templates: Partial<Record<Section, string>> = {};
  for (const [section, lines] of found) {
    const text = lines.join('\n').trim();
    if (!text) throw fail(`section "# ${section}" is empty`);
    templates[section] = text;
  }
  return templates as Prompt['templates'];
}
