import { describe, expect, it } from 'vitest';
import { briefText } from './analyst-helpers.js';

/**
 * Stakeholders are actors — people, organisations, governments, groups — with the role the
 * text gives them, and `representedInDocument` exactly when the document quotes them or gives
 * their stated position (issue 13). Each case is a principle, in made-up text.
 */
async function cast(text: string) {
  const brief = await briefText(text);
  return new Map(brief.stakeholders.map((s) => [s.name, s]));
}

describe('who is an actor', () => {
  it('leaves out places, programmes, headings, adjectives and statute labels', async () => {
    const found = await cast(
      'The Northfield route would run through Harwick. Option B keeps the branch open. ' +
        'Title XIX of the Act covers Medicaid Outreach grants. A Republican senator voted ' +
        'against it, and Islamic charities were not mentioned. The Ministry of Transport ' +
        'said the route would open in 2031.',
    );
    expect([...found.keys()]).toEqual(['Ministry of Transport']);
  });

  it('keeps a name the text shows acting, and groups of people', async () => {
    const found = await cast(
      'The report says Estrevia has failed to share its river data. In the vote, ' +
        'Republicans backed the treaty, and farmers along the river fear the transfer.',
    );
    expect(found.get('Estrevia')?.role).toBe('named in the document');
    expect(found.get('Republicans')?.role).toBe('group');
    expect(found.get('farmers')?.role).toBe('affected group');
  });

  it('reads offices, titles and affiliations as roles', async () => {
    const found = await cast(
      'The Secretary of Health and Human Services shall publish the rules. Rep. Joe Sestak ' +
        'said he would stay in the race. Governor Mike Pence of Indiana signed the law. ' +
        'Republican Pat Toomey said the offer was improper. The Attorney General shall report ' +
        'to Congress.',
    );
    expect(found.get('Secretary of Health and Human Services')?.role).toBe('office holder');
    expect(found.get('Attorney General')?.role).toBe('office holder');
    expect(found.get('Joe Sestak')?.role).toBe('representative');
    expect(found.get('Mike Pence')?.role).toBe('governor from Indiana');
    expect(found.get('Pat Toomey')?.role).toBe('republican');
    expect(found.has('Human Services')).toBe(false);
    const bid = await cast(
      'Mike Huckabee announced a Republican White House bid on Monday, and the house was full ' +
        'as white banners flew. Huckabee said he would win.',
    );
    expect(bid.get('White House')?.role).not.toBe('republican');
  });

  it('keeps a long name whole across "&", initials and a hard line break', async () => {
    const found = await cast(
      'The Centers for Medicare & Medicaid Services shall fund the programme. The Department ' +
        'of Health and\n   Human Services shall report each year. George W. Bush signed the act.',
    );
    expect(found.has('Centers for Medicare & Medicaid Services')).toBe(true);
    expect(found.has('Department of Health and Human Services')).toBe(true);
    expect(found.get('George W. Bush')?.name).toBe('George W. Bush');
  });

  it('takes an appositive as a role only when it names what someone is', async () => {
    const found = await cast(
      'Amara Osei, chief economist at the Institute, said rents would rise. Dara Quill, ' +
        'sent a letter to the panel, said the same. Tamsin Reyes, the Labour member who led ' +
        'the campaign, said the Bill was overdue.',
    );
    expect(found.get('Amara Osei')?.role).toBe('chief economist at the Institute');
    expect(found.get('Tamsin Reyes')?.role).toBe('Labour member');
    expect(found.get('Dara Quill')?.role).toBe('named in the document');
  });

  it('folds initials and surnames into the full name', async () => {
    const found = await cast(
      'The Office for National Statistics (ONS) published the figures. The ONS said the rise ' +
        'was the largest since 1990. Amara Osei said the figures were clear. Osei added that ' +
        'rents had doubled.',
    );
    expect(found.has('ONS')).toBe(false);
    expect(found.get('Office for National Statistics')?.representedInDocument).toBe(true);
    expect(found.has('Osei')).toBe(false);
  });
});

describe('who is heard', () => {
  it('is heard when quoted or when the text gives its stated position', async () => {
    const found = await cast(
      'Economists agree that the cap will cut supply. The National Audit Office found that ' +
        'costs had doubled. Shelter Cymru and other housing charities estimate that 9,000 ' +
        'families are at risk. "We will not sell," said Colm Dwyer. The minister, Dara Quill, ' +
        'accused objectors of "standing in the way of progress".',
    );
    for (const name of [
      'economists',
      'National Audit Office',
      'Shelter Cymru',
      'Colm Dwyer',
      'Dara Quill',
    ])
      expect(found.get(name)?.representedInDocument, name).toBe(true);
  });

  it('finds the speaker past an interjection, a party tag or a quotation before the name', async () => {
    const found = await cast(
      'Critics, however, say the law is harmful. Rep. Chris Collins (R-N.Y.) has said he ' +
        'expects to be cleared. “I find the new law disturbing," Jay Inslee said. Mark Warner, ' +
        'the top Democrat on the Senate Intelligence Committee, said the report was wrong.',
    );
    const more = await cast(
      'Apple chief Tim Cook called the law "dangerous" in an op-ed. The Democratic National ' +
        'Committee issued a statement on Friday. Senate President Pro Tem David Long said ' +
        'the law was fair. Long added that it would stand. Members may take part in the ' +
        'administration of the oath.',
    );
    for (const name of ['Tim Cook', 'Democratic National Committee', 'David Long'])
      expect(more.get(name)?.representedInDocument, name).toBe(true);
    expect(more.has('Long') || more.has('the administration')).toBe(false);
    for (const name of ['critics', 'Chris Collins', 'Jay Inslee', 'Mark Warner'])
      expect(found.get(name)?.representedInDocument, name).toBe(true);
    expect(found.get('Senate Intelligence Committee')?.representedInDocument).toBe(false);
  });

  it('gives "he said" to the person the sentence before is about, not to one quoted', async () => {
    const found = await cast(
      'The water plan was discussed at length on Monday when Senator Dara Quill met Governor ' +
        'Mike Pence at the state capitol. “I would not trust Vladimir Putin alone in a room,” ' +
        'she said. The Ministry of Transport published its plan.',
    );
    expect(found.get('Dara Quill')?.representedInDocument).toBe(true);
    expect(found.get('Mike Pence')?.representedInDocument).toBe(false);
    expect(found.get('Vladimir Putin')?.representedInDocument ?? false).toBe(false);
  });

  it('gives a role named as speaker to the one actor with that role; courts speak by ruling', async () => {
    const found = await cast(
      'The estate was visited on Monday by Housing Minister Priya Anand and Colm Dwyer. ' +
        '“We will act this year,” the housing minister said. The Supreme Court ruled in 1998 ' +
        'that the scheme was lawful.',
    );
    expect(found.get('Priya Anand')?.representedInDocument).toBe(true);
    expect(found.get('Colm Dwyer')?.representedInDocument ?? false).toBe(false);
    expect(found.get('Supreme Court')?.representedInDocument).toBe(true);
  });

  it('is not heard when only spoken about, told, or named inside a quotation', async () => {
    const found = await cast(
      'Amara Osei said the Valley Alliance will lose the vote. Gowdy told Fox News that ' +
        'the committee would meet. "The Supreme Court has let families down," Huckabee said. ' +
        'The Ministry of Transport did not respond to questions. In Washington, officials ' +
        'said the plan was delayed.',
    );
    expect(found.get('Amara Osei')?.representedInDocument).toBe(true);
    expect(found.get('Valley Alliance')?.representedInDocument).toBe(false);
    expect(found.get('Fox News')?.representedInDocument ?? false).toBe(false);
    expect(found.get('Supreme Court')?.representedInDocument ?? false).toBe(false);
    expect(found.get('Ministry of Transport')?.representedInDocument).toBe(false);
    expect(found.get('Washington')?.representedInDocument ?? false).toBe(false);
  });
});

describe('accusations the document reports', () => {
  it("writes no disputed_claim for another party's accusation or a clause about someone else", async () => {
    const brief = await briefText(
      'Fox News host Glenn Beck, armed with his chalkboard, blamed the Federal Reserve for ' +
        "the country's problems. He also criticized the Supreme Court. Trump fired Flynn in " +
        'February because he misled Vice President Mike Pence.',
      { noteKinds: ['disputed_claim', 'missing_perspective'] },
    );
    expect(brief.counterPerspectives).toEqual([]);
  });

  it("still notes the document's own accusation against an actor it never hears", async () => {
    const brief = await briefText(
      'The Ministry of Transport has failed to publish its business case. The route will ' +
        'cost £2 billion. The Ministry of Transport misled residents about the cost.',
      { noteKinds: ['disputed_claim'] },
    );
    expect(brief.counterPerspectives.map((n) => n.perspective).join(' ')).toContain(
      'Ministry of Transport',
    );
  });
});
