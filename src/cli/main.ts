import packageJson from '../../package.json' with { type: 'json' };

/** What a command's module gives: its entry point and its `--help` text. */
interface Command {
  run: (args: string[]) => Promise<number>;
  usage: string;
}

/**
 * Every command, with its line in `parallax --help` and its module, imported only when the
 * command is called: `--help` and `--version` load nothing else, and only a command on the local
 * database loads the server's code (src/cli/api.ts).
 */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: {
    summary: 'start the HTTP server, as npm start does',
    load: () => import('./server.js').then((m) => ({ run: m.serveCommand, usage: m.serveUsage })),
  },
  brief: {
    summary: 'brief a document (a file, or - for stdin) and print it',
    load: () => import('./brief.js').then((m) => ({ run: m.briefCommand, usage: m.briefUsage })),
  },
  briefs: {
    summary: 'list briefs, newest first',
    load: () => import('./list.js').then((m) => ({ run: m.briefsCommand, usage: m.briefsUsage })),
  },
  prompts: {
    summary: 'list the prompt versions',
    load: () => import('./list.js').then((m) => ({ run: m.promptsCommand, usage: m.promptsUsage })),
  },
  compare: {
    summary: "compare two prompt versions' briefs of one document",
    load: () =>
      import('./compare.js').then((m) => ({ run: m.compareCommand, usage: m.compareUsage })),
  },
  perspectives: {
    summary: 'read 2 to 5 documents against each other, claim by claim',
    load: () =>
      import('./perspectives.js').then((m) => ({
        run: m.perspectivesCommand,
        usage: m.perspectivesUsage,
      })),
  },
  eval: {
    summary: 'run prompt versions over a corpus and write the report',
    load: () => import('./eval.js').then((m) => ({ run: m.evalCommand, usage: m.evalUsage })),
  },
  migrate: {
    summary: 'create and migrate the SQLite file',
    load: () =>
      import('./server.js').then((m) => ({ run: m.migrateCommand, usage: m.migrateUsage })),
  },
  seed: {
    summary: 'brief the sample documents (seeds/) with each prompt version',
    load: () => import('./seed.js').then((m) => ({ run: m.seedCommand, usage: m.seedUsage })),
  },
  cache: {
    summary: 'prune the LLM-call cache, or show what the database holds',
    load: () => import('./cache.js').then((m) => ({ run: m.cacheCommand, usage: m.cacheUsage })),
  },
};

const width = Math.max(...Object.keys(commands).map((name) => name.length));
const usage = `usage: parallax <command> [options]

commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join('\n')}

Commands use the local database (DATABASE_PATH) unless given --server URL (then the HTTP API,
with PARALLAX_TOKEN as the bearer token when set). \`parallax <command> --help\` for options,
\`parallax --version\` for the version.
Exit codes: 0 ok, 1 the work failed, 2 bad usage.`;

/** The `parallax` command line. Exit codes: 0 ok, 1 the work failed, 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    console.error(usage);
    return 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(packageJson.version);
    return 0;
  }
  if ((name === '--help' || name === '-h' || name === 'help') && args.length === 0) {
    console.log(usage);
    return 0;
  }
  // `parallax help brief` is `parallax brief --help`.
  const [commandName, commandArgs] = name === 'help' ? [args[0]!, ['--help']] : [name, args];
  const entry = Object.hasOwn(commands, commandName) ? commands[commandName] : undefined;
  if (!entry) {
    console.error(`parallax: unknown command "${commandName}"\n\n${usage}`);
    return 2;
  }
  const command = await entry.load();
  if (commandArgs.includes('--help') || commandArgs.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(commandArgs);
  } catch (error) {
    // Loaded with the command already: these imports cost nothing here.
    const { exitCodeOf, UsageError } = await import('./api.js');
    const { ParallaxError } = await import('../client/index.js');
    const code = (error as { code?: unknown }).code;
    if (
      error instanceof UsageError ||
      (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    ) {
      console.error(`parallax ${commandName}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    console.error(`parallax ${commandName}: ${(error as Error).message}`);
    return error instanceof ParallaxError ? exitCodeOf(error) : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
