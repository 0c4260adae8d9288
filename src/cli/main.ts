#!/usr/bin/env node
// `gleaner`: one command, one module per subcommand, each loaded only when used (a worker never
// loads the web code, and `gleaner parse` starts fast).
import { GleanerError } from '../model/errors.js';
import { storageError } from '../store/errors.js';
import { printable } from './progress.js';

interface Command {
  summary: string;
  load: () => Promise<{ run: (args: string[]) => Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run the reader, the client APIs and the refresh loop',
    load: () => import('./serve.js'),
  },
  add: { summary: 'subscribe to a feed (or discover it from a site URL)', load: () => import('./add.js') },
  edit: {
    summary: 'change a subscription: title, folder, how its feed is fetched',
    load: () => import('./edit.js'),
  },
  remove: { summary: 'unsubscribe from feeds', load: () => import('./remove.js') },
  import: {
    summary: 'subscribe to the feeds of OPML files, folders kept',
    load: async () => ({ run: (await import('./opml.js')).runImport }),
  },
  export: {
    summary: 'write your subscriptions as OPML',
    load: async () => ({ run: (await import('./opml.js')).runExport }),
  },
  recommended: {
    summary: 'list or subscribe to the recommended-feed directory',
    load: () => import('./recommended.js'),
  },
  refresh: {
    summary: 'fetch subscribed feeds now (or keep doing so with --watch)',
    load: () => import('./refresh.js'),
  },
  feeds: { summary: 'list subscriptions with their status and last error', load: () => import('./feeds.js') },
  certificate: {
    summary: "show an https server's certificate, to trust it for its feed",
    load: () => import('./certificate.js'),
  },
  publish: {
    summary: 'publish a tag, folder, feed, starred or a search as public pages and feeds',
    load: () => import('./publish.js'),
  },
  parse: { summary: 'parse feed files and print the normalized result', load: () => import('./parse.js') },
  user: {
    summary: 'add, list and remove users; set passwords; create API keys',
    load: () => import('./user.js'),
  },
  config: { summary: 'print the effective configuration', load: () => import('./config.js') },
  cleanup: {
    summary: 'remove old entries now, as the refresh loop does (GLEANER_KEEP_* settings)',
    load: () => import('./cleanup.js'),
  },
  backup: {
    summary: 'copy the database to a file, while Gleaner runs',
    load: () => import('./backup.js'),
  },
  wiki: {
    summary: 'build the knowledge wiki from your articles, or show a source page',
    load: () => import('./wiki.js'),
  },
  skill: {
    summary: "distill a skill from a company's or a tag's articles",
    load: () => import('./skill.js'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
  return (
    `usage: gleaner <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    "Run `gleaner <command> --help` for a command's options, `gleaner --version` for the version.\n\n" +
    'Exit status: 0 done; 1 failed, or given wrongly (an unknown option, a missing value: the message\n' +
    'says what to change); 2 `gleaner add` found several feeds and lists them to choose from; 130\n' +
    'stopped by Ctrl-C before it was done, 143 by SIGTERM (`serve` and `refresh --watch`, which run\n' +
    'until stopped, end with 0); 141 what read its output stopped reading (`gleaner export | head`).'
  );
}

/** The exit status of a command given wrongly: 1, as for any error (see usage()). */
const USAGE_STATUS = 1;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    console.error(usage());
    return USAGE_STATUS;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log((await import('../config/paths.js')).packageVersion);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`gleaner: unknown command "${name}"\n\n${usage()}`);
    return USAGE_STATUS;
  }
  const module = await command.load();
  try {
    return await module.run(args);
  } catch (err) {
    // An option the command does not take, or one without its value: said as a usage error, not
    // as a stack trace.
    if (!isOptionError(err)) throw err;
    console.error(
      `gleaner ${name}: ${err.message.split('\n')[0]}\nRun \`gleaner ${name} --help\` for its options.`,
    );
    return USAGE_STATUS;
  }
}

/** An error of node:util's parseArgs (unknown option, missing or ambiguous value, stray argument). */
function isOptionError(err: unknown): err is Error {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

// A reader that stops reading (`gleaner export | head -3`) closes the pipe: other Unix tools are
// ended by SIGPIPE, quietly, with status 128 + 13. Node ignores that signal and reports the
// closed pipe as an EPIPE error on stdout instead, which would otherwise end in a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(141);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = storageError(error);
    if (err instanceof GleanerError) console.error(`gleaner: ${printable(err.message)}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
