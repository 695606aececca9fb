import { evalCommand, evalUsage } from './eval.js';
import { seedCommand, seedUsage } from './seed.js';

const commands: Record<string, { run: (args: string[]) => Promise<number>; usage: string }> = {
  eval: { run: evalCommand, usage: evalUsage },
  seed: { run: seedCommand, usage: seedUsage },
};

const usage = `usage: parallax <command> [options]

commands:
${Object.values(commands)
  .map((command) => `  ${command.usage.split('\n')[0]}`)
  .join('\n')}

The server itself: npm start.`;

/** The `parallax` command line. Exit codes: 0 ok, 1 the work failed, 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
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
    console.error(`parallax ${name}: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
