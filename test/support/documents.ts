import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';

/**
 * Test documents generated in code (no copied files). The PDF's pages each carry a few lines
 * of policy prose drawn with PDF text-showing operators (pdf-lib, Helvetica), so pdf.js has a
 * real text layer to extract.
 */
export const PDF_PAGES = [
  [
    'The Ministry of Water stated that the reform will cut household bills by 12 percent.',
    'According to the department, the new reservoirs will be finished by 2031.',
    'Officials said the plan is the only responsible choice for the region.',
  ],
  [
    'Farmers in the northern valley were not consulted before the plan was published.',
    "Critics argue that the cost estimate rests on the ministry's own projections.",
    'An independent audit of the figures has not been carried out.',
  ],
];

export async function makePdf(
  pages: readonly (readonly string[])[] = PDF_PAGES,
  title?: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([612, 792]);
    lines.forEach((line, i) => {
      page.drawText(line, { x: 50, y: 720 - i * 18, size: 11, font });
    });
  }
  if (title) pdf.setTitle(title);
  return new Uint8Array(await pdf.save());
}

/** A PDF whose pages have no text layer at all (what a scan without OCR looks like to us). */
export async function makeEmptyPdf(pageCount = 2): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  for (let i = 0; i < pageCount; i++)
    pdf.addPage([612, 792]).drawRectangle({ x: 50, y: 50, width: 100, height: 100 });
  return new Uint8Array(await pdf.save());
}

export const ARTICLE_PARAGRAPHS = [
  'The Ministry of Transport announced that the new rail link will halve journey times between the two cities by 2030.',
  'According to the ministry, the project will cost 4 billion and create 12,000 jobs in the region.',
  'Residents along the proposed route said they had not been asked about the noise and the loss of farmland.',
  'Economists at the university argue that the job figure counts temporary construction work as permanent employment.',
  'The opposition called the plan a reckless vanity project that the country cannot afford.',
];

/** A news-style page: navigation, header, sidebar and footer boilerplate around one article. */
export function makeHtmlPage(title = 'Rail link plan | Daily Policy Review'): string {
  const paragraphs = ARTICLE_PARAGRAPHS.map((p) => `      <p>${p}</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <style>body { font-family: sans-serif }</style>
  <script>window.analytics = { track() {} };</script>
</head>
<body>
  <header><a href="/">Daily Policy Review</a></header>
  <nav><ul><li><a href="/news">NAVLINK News</a></li><li><a href="/opinion">NAVLINK Opinion</a></li><li><a href="/subscribe">NAVLINK Subscribe</a></li></ul></nav>
  <main>
    <article>
      <h1>Rail link plan</h1>
${paragraphs}
    </article>
  </main>
  <aside><h2>Most read</h2><ul><li><a href="/a">SIDEBAR Ten things about trains</a></li></ul></aside>
  <footer><p>FOOTERTEXT Copyright 2026 Daily Policy Review. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body>
</html>`;
}

export const LINE =
  'The ministry said the programme will deliver the new units by 2030 in each district.';

/**
 * A PDF whose `pages` pages all draw one shared content stream of `lines` lines (~88 characters
 * each, all on the page): the amplification of issue 17, where a small file holds a great deal
 * of text because every page repeats the same stream.
 */
export async function sharedStreamPdf(
  pages: number,
  lines: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const operators = ['BT /F1 11 Tf 14 TL 50 750 Td'];
  for (let i = 0; i < lines; i++) operators.push(`(${i + 1}. ${LINE}) Tj T*`);
  operators.push('ET');
  const contents = pdf.context.register(pdf.context.flateStream(operators.join('\n')));
  const resources = pdf.context.register(pdf.context.obj({ Font: { F1: font.ref } }));
  for (let i = 0; i < pages; i++) {
    const page = pdf.addPage([612, 792]);
    page.node.set(PDFName.of('Contents'), contents);
    page.node.set(PDFName.of('Resources'), resources);
  }
  return new Uint8Array(await pdf.save());
}
