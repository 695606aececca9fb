import type { FC } from 'hono/jsx';
import { Alert } from '../components.js';
import { Layout } from '../layout.js';

const HEADINGS: Record<string, string> = {
  not_found: 'Not found',
  unknown_prompt: 'Unknown prompt version',
  unauthorized: 'API token needed',
  rate_limited: 'Too many requests',
  payload_too_large: 'The document is too large',
  unsupported_media_type: 'This kind of file cannot be read',
  invalid_request: 'That request cannot be used',
};

/** A page for an error outside a form: the code's heading, the message, and the request id to quote. */
export const ErrorPage: FC<{ code: string; message: string; requestId: string }> = ({
  code,
  message,
  requestId,
}) => (
  <Layout title={HEADINGS[code] ?? 'Something went wrong'} section="other">
    <h1>{HEADINGS[code] ?? 'Something went wrong'}</h1>
    <Alert title={code} message={message} />
    <p class="hint">
      Request id <code>{requestId}</code>.
    </p>
    <p>
      <a href="/">Make a new brief</a> or <a href="/briefs">see the briefs</a>.
    </p>
  </Layout>
);

/** Heading for a refused form post, by error code. */
export function errorHeading(code: string): string {
  return HEADINGS[code] ?? 'Something went wrong';
}
