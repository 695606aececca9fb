import type { FC } from 'hono/jsx';
import { Alert, TokenField } from '../components.js';
import { Layout } from '../layout.js';

/** What the submit form shows and echoes back after a refusal (never the token, never a file). */
export interface SubmitValues {
  text: string;
  title: string;
  prompt: string;
  provider: string;
  /** Empty for the provider's default. */
  model: string;
}

export interface HomePageProps {
  prompts: { ref: string; description: string; latest: boolean }[];
  /** The providers a brief may use, the server's default first. */
  providers: { name: string; defaultModel: string }[];
  values: SubmitValues;
  tokenNeeded: boolean;
  maxBytes: number;
  error?: { title: string; message: string } | undefined;
}

const ACCEPT =
  '.pdf,.html,.htm,.md,.markdown,.txt,application/pdf,text/html,text/markdown,text/plain';

/** The home page: paste or upload a document, pick the prompt version and model, submit. */
export const HomePage: FC<HomePageProps> = ({
  prompts,
  providers,
  values,
  tokenNeeded,
  maxBytes,
  error,
}) => {
  const defaults = providers
    .map((provider) => `${provider.defaultModel} for ${provider.name}`)
    .join(', ');
  return (
    <Layout title="New brief" section="new">
      <h1>Brief a policy document</h1>
      <p>
        Parallax writes a neutral summary of the document whose key points quote it, and notes where
        it is one-sided. Every quote is checked against the text.
      </p>
      {error ? <Alert title={error.title} message={error.message} /> : null}
      <form class="stack" method="post" action="/briefs" enctype="multipart/form-data">
        <fieldset>
          <legend>Document</legend>
          <div class="field">
            <label for="text">Paste the text</label>
            <textarea id="text" name="text" rows={12} aria-describedby="text-hint">
              {values.text}
            </textarea>
            <p class="hint" id="text-hint">
              Plain text or Markdown. Or leave this empty and choose a file below.
            </p>
          </div>
          <div class="field">
            <label for="file">Or upload a file</label>
            <input type="file" id="file" name="file" accept={ACCEPT} aria-describedby="file-hint" />
            <p class="hint" id="file-hint">
              PDF (with a text layer), HTML (the main content is read), Markdown or plain text; up
              to {formatBytes(maxBytes)}.
            </p>
          </div>
          <div class="field">
            <label for="title">Title (optional)</label>
            <input
              type="text"
              id="title"
              name="title"
              value={values.title}
              maxlength={500}
              aria-describedby="title-hint"
            />
            <p class="hint" id="title-hint">
              Without one, an HTML page's or PDF's own title is used.
            </p>
          </div>
        </fieldset>
        <fieldset>
          <legend>How to read it</legend>
          <div class="field">
            <label for="prompt">Prompt version</label>
            <select id="prompt" name="prompt" aria-describedby="prompt-hint">
              {prompts.map((prompt) => (
                <option value={prompt.ref} selected={prompt.ref === values.prompt}>
                  {prompt.latest ? `${prompt.ref} (latest)` : prompt.ref}
                </option>
              ))}
            </select>
            <p class="hint" id="prompt-hint">
              Each version is a fixed prompt file; briefs record which one made them. Compare two
              versions on the brief's page.
            </p>
          </div>
          <div class="field">
            <label for="provider">Provider</label>
            <select id="provider" name="provider" aria-describedby="provider-hint">
              {providers.map((provider) => (
                <option value={provider.name} selected={provider.name === values.provider}>
                  {PROVIDER_LABELS[provider.name] ?? provider.name}
                </option>
              ))}
            </select>
            <p class="hint" id="provider-hint">
              {providers.length > 1
                ? 'The language model the server is set up with, or the offline analyst, which reads the document itself with no model: compare the two on one document.'
                : 'The offline analyst reads the document itself, with no language model. A model is set up on the server with OPENAI_BASE_URL / OPENAI_API_KEY.'}
            </p>
          </div>
          <div class="field">
            <label for="model">Model (optional)</label>
            <input
              type="text"
              id="model"
              name="model"
              value={values.model}
              maxlength={200}
              placeholder={defaults}
              aria-describedby="model-hint"
            />
            <p class="hint" id="model-hint">
              Empty for the provider's default: {defaults}. The offline analyst has only its one.
            </p>
          </div>
          <TokenField id="token" needed={tokenNeeded} />
        </fieldset>
        <div>
          <button type="submit">Make the brief</button>
        </div>
      </form>
    </Layout>
  );
};

const PROVIDER_LABELS: Record<string, string> = {
  openai: 'openai: the language model endpoint',
  local: 'local: the offline analyst',
};

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`
    : `${Math.round(bytes / 1024)} KB`;
}
