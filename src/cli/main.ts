import { ApiError, UsageError } from './api.js';
import { briefCommand, briefUsage } from './brief.js';
import { compareCommand, compareUsage } from './compare.js';
import { evalCommand, evalUsage } from './eval.js';
import { briefsCommand, briefsUsage, promptsCommand, promptsUsage } from './list.js';
import { perspectivesCommand, perspectivesUsage } from './perspectives.js';
import { seedCommand, seedUsage } from './seed.js';
import { migrateCommand, migrateUsage, serveCommand, serveUsage } from './server.js';

const commands: Record<string, { run: (args: string[]) => Promise<number>; usage: string }> = {
  serve: { run: serveCommand, usage: serveUsage },
  brief: { run: briefCommand, usage: briefUsage },
  briefs: { run: briefsCommand, usage: briefsUsage },
  prompts: { run: promptsCommand, usage: promptsUsage },
  compare: { run: compareCommand, usage: compareUsage },
  perspectives: { run: perspectivesCommand, usage: perspectivesUsage },
  eval: { run: evalCommand, usage: evalUsage },
  migrate: { run: migrateCommand, usage: migrateUsage },
  seed: { run: seedCommand, usage: seedUsage },
};

const usage = `usage: parallax <command> [options]

commands:
${Object.values(commands)
  .map((command) => `  ${command.usage.split('\n')[0]}`)
  .join('\n')}

Commands use the local database (DATABASE_PATH) unless given --server URL (then the HTTP API,
with PARALLAX_TOKEN as the bearer token when set). \`parallax <command> --help\` for options.
Exit codes: 0 ok, 1 the work failed, 2 bad usage.`;

/** The `parallax` command line. Exit codes: 0 ok, 1 the work failed, 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    console.error(usage);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`parallax: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  if (args.includes('--help')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      error instanceof UsageError ||
      (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    ) {
      console.error(`parallax ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    console.error(`parallax ${name}: ${(error as Error).message}`);
    return error instanceof ApiError ? error.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
