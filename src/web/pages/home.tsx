import type { FC } from 'hono/jsx';
import { Alert, TokenField } from '../components.js';
import { Layout } from '../layout.js';

/** What the submit form shows and echoes back after a refusal (never the token, never a file). */
export interface SubmitValues {
  text: string;
  title: string;
  prompt: string;
  model: string;
}

export interface HomePageProps {
  prompts: { ref: string; description: string; latest: boolean }[];
  provider: { name: string; defaultModel: string };
  values: SubmitValues;
  tokenNeeded: boolean;
  maxBytes: number;
  error?: { title: string; message: string } | undefined;
}

const ACCEPT = '.pdf,.html,.htm,.md,.markdown,.txt,application/pdf,text/html,text/markdown,text/plain';

/** The home page: paste or upload a document, pick the prompt version and model, submit. */
export const HomePage: FC<HomePageProps> = ({ prompts, provider, values, tokenNeeded, maxBytes, error }) => {
  const local = provider.name === 'local';
  return (
    <Layout title="New brief" section="new">
      <h1>Brief a policy document</h1>
      <p>
        Parallax writes a neutral summary of the document whose key points quote it, and notes where it is one-sided. Every quote
        is checked against the text.
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
              PDF (with a text layer), HTML (the main content is read), Markdown or plain text; up to {formatBytes(maxBytes)}.
            </p>
          </div>
          <div class="field">
            <label for="title">Title (optional)</label>
            <input type="text" id="title" name="title" value={values.title} maxlength={500} aria-describedby="title-hint" />
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
              Each version is a fixed prompt file; briefs record which one made them. Compare two versions on the brief's page.
            </p>
          </div>
          <div class="field">
            <label for="model">Model</label>
            <input type="text" id="model" name="model" value={local ? provider.defaultModel : values.model} readonly={local} aria-describedby="model-hint" />
            <p class="hint" id="model-hint">
              {local
                ? `Provider: local (the offline analyst, which has one model). A language model is set up on the server with OPENAI_BASE_URL / OPENAI_API_KEY.`
                : `Provider: ${provider.name} (set on the server). Any model name its endpoint serves; the default is ${provider.defaultModel}.`}
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

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}
