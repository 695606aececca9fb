import type { Context } from 'hono';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Which top-level section a page belongs to, for the navigation's `aria-current`. */
export type Section = 'new' | 'briefs' | 'perspectives' | 'other';

export interface LayoutProps {
  title: string;
  section: Section;
  /** Extra elements for <head> (e.g. the refresh fallback of a running brief). */
  head?: Child;
}

/**
 * Every page's frame: language, viewport, the app's stylesheet and script (served by this app,
 * no CDN), a skip link, the navigation and a main landmark. Text passed in is escaped by JSX.
 */
export const Layout: FC<PropsWithChildren<LayoutProps>> = ({ title, section, head, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · Parallax`}</title>
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href="/assets/app.css" />
      <script src="/assets/app.js" defer></script>
      {head}
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="site">
        <a class="brand" href="/">
          Parallax
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="/" aria-current={section === 'new' ? 'page' : undefined}>
                New brief
              </a>
            </li>
            <li>
              <a href="/briefs" aria-current={section === 'briefs' ? 'page' : undefined}>
                Briefs
              </a>
            </li>
            <li>
              <a
                href="/perspectives"
                aria-current={section === 'perspectives' ? 'page' : undefined}
              >
                Perspectives
              </a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabindex={-1}>
        {children}
      </main>
      <footer class="site">
        <p>
          Neutral, cited briefs of policy documents. Every quote is checked against the source; the
          JSON API is under <code>/v1</code>, described at <a href="/docs">/docs</a>.
        </p>
      </footer>
    </body>
  </html>
);

/**
 * Pages never load anything from elsewhere: scripts and styles are this app's own files, no
 * inline script or style, no framing. Model and document text is escaped by JSX; this policy
 * is the second line of defence if something ever were not.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/** Sends a page as HTML with its doctype and the pages' content security policy. */
export function sendPage(c: Context, page: Child, status: ContentfulStatusCode = 200): Response {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  return c.html(`<!doctype html>${String(page)}`, status) as Response;
}
