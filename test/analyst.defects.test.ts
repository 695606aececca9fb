import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelBrief } from '../src/briefs/schema.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { briefText, seed, seedNames } from './analyst-helpers.js';
import { findDefects } from './support/defects.js';

/**
 * The prose the analyst writes reads as English and keeps the source's facts: no capitalised
 * common word after "that", no heading, caption, salutation or bibliography entry as a
 * sentence, no broken word, no "s's", no doubled or unbalanced quote mark, no truncated
 * headline, no re-worded name. First the checker itself, on the defects a reviewer found; then
 * every seed, and the shared BillSum bills and BASIL articles when the checkout has them.
 */
const brief = (summary: string, headline = 'A headline', keyPoints: string[] = []): ModelBrief => ({
  headline,
  summary,
  keyPoints: keyPoints.map((text) => ({ text, citations: [] })),
  stakeholders: [],
  counterPerspectives: [],
});

const defectsOf = (summary: string, source: string, headline?: string) =>
  findDefects(brief(summary, headline), source).map((d) => d.defect);

describe('the defects check', () => {
  it('finds each defect a reviewer reported', () => {
    const source =
      'Madam Deputy Speaker, I rise to support this Bill. This Bill gives them that help. ' +
      'Prepared by the Institute. The Robert T. Stafford Disaster Relief and Emergency ' +
      'Assistance Act applies. Federal law provides the rest. Families need help. It is a ' +
      'serious problem.';
    const cases: Array<[string, string, string?]> = [
      [
        'The document argues that Madam Deputy Speaker, the author rises to support this Bill.',
        'salutation as a sentence',
      ],
      ['It states that This Bill gives them that help.', 'capitalised common word after "that"'],
      [
        "The document states that prepared by the Institute's Water and Land Programme.",
        'caption, credit or bibliography as a sentence',
      ],
      ['The document argues that f ederal law provides the rest.', 'broken word'],
      [
        'The document states that budget note: school meals expansion The Treasury proposes a change.',
        'heading glued to a sentence',
      ],
      ["It states that Families's incomes fell.", '"s\'s" possessive'],
      [
        'It states that the Robert T. Stafford Serious problem Relief and Emergency Assistance Act applies.',
        're-worded name',
      ],
      ['It reports that he said ""no"".', 'doubled quote mark'],
      ['It reports that Colm Dwyer said: "This cap is wrong.', 'unbalanced quotation'],
      [
        'It states that Smith, J. (2019). Water policy et al.',
        'caption, credit or bibliography as a sentence',
      ],
    ];
    for (const [summary, defect] of cases)
      expect(defectsOf(summary, source), summary).toContain(defect);
    expect(
      defectsOf('The document states that x.', source, 'A long headline that was cut…'),
    ).toContain('truncated headline');
    expect(
      defectsOf(
        'This op-ed argues that the Robert T. Stafford Disaster Relief and Emergency Assistance Act applies. It states that families need help.',
        source,
      ),
    ).toEqual([]);
  });
});

function expectClean(name: string, text: string, result: ModelBrief) {
  const defects = findDefects(result, text);
  expect(defects, `${name}: ${JSON.stringify(defects.slice(0, 3))}`).toEqual([]);
}

describe('the analyst writes clean prose', () => {
  for (const name of seedNames()) {
    it(`${name}`, async () => {
      const text = seed(name);
      expectClean(name, text, await briefText(text));
    });
  }

  const shared = new URL('../../shared/data/', import.meta.url);
  for (const file of ['billsum-us-sample.jsonl', 'basil-dev.jsonl']) {
    const path = new URL(file, shared);
    it.skipIf(!existsSync(path))(
      `every record of ../shared/data/${file}`,
      async () => {
        const records = readFileSync(path, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { id: string; title?: string; document: string });
        const failures: string[] = [];
        for (const record of records) {
          const text = normalizeText(record.document);
          const title = record.title ?? null;
          const result = await briefText(text, {}, title);
          const defects = findDefects(result, `${title ?? ''}\n${text}`);
          for (const d of defects.slice(0, 2)) failures.push(`${record.id} ${d.defect}: ${d.text}`);
        }
        expect(failures.slice(0, 15), `${failures.length} defects`).toEqual([]);
      },
      120_000,
    );
  }
});
