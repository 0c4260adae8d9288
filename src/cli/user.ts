// `gleaner user add|list|passwd|remove|key`: accounts from the command line.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { hashPassword, isValidUsername, issueApiKey, passwordProblem } from '../web/auth.js';
import { COMMON_FLAGS, openContext } from './context.js';

const HELP = `usage: gleaner user <add|list|passwd|remove|key> [NAME] [options]

  add NAME [--admin]   create a user; the password is read from standard input
                       (asked for twice on a terminal)
  list                 list users
  passwd NAME          set a user's password (ends their sessions)
  remove NAME          delete a user with their subscriptions and reading state
  key NAME [--label L] create an API key for the client APIs (printed once)`;

/** The password: from a pipe as its first line, or typed twice on a terminal without echo. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const ask = (prompt: string): Promise<string> =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const output = rl as unknown as { _writeToOutput: (s: string) => void };
      output._writeToOutput = (s: string) => {
        if (s.includes(prompt)) process.stderr.write(prompt);
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  if ((await ask('Password again: ')) !== first) throw new GleanerError('USAGE', 'the two passwords differ');
  return first;
}

async function newPasswordHash(): Promise<string> {
  const password = await readPassword();
  const problem = passwordProblem(password);
  if (problem) throw new GleanerError('USAGE', `the password needs ${problem}`);
  return hashPassword(password);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON_FLAGS, admin: { type: 'boolean', default: false }, label: { type: 'string' } },
  });
  const [action, name] = positionals;
  if (values.help || !action) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (action !== 'list' && !name) throw new GleanerError('USAGE', `gleaner user ${action} needs a user name`);
  const ctx = await openContext(values);
  try {
    const { store } = ctx;
    const find = async () => {
      const user = await store.findUserByName(name ?? '');
      if (!user) throw new GleanerError('NOT_FOUND', `no user named "${name}"; see gleaner user list`);
      return user;
    };
    switch (action) {
      case 'add': {
        if (!isValidUsername(name ?? '')) {
          throw new GleanerError(
            'USAGE',
            'a user name is 1 to 64 letters, digits, dots, dashes or underscores',
          );
        }
        if (await store.findUserByName(name ?? ''))
          throw new GleanerError('USAGE', `a user named "${name}" exists`);
        const passwordHash = await newPasswordHash();
        // Someone must be able to administer: the first user with a password is an administrator.
        let first = true;
        for (const u of await store.listUsers()) if (await store.getPasswordHash(u.id)) first = false;
        const isAdmin = values.admin || first;
        const user = await store.createUser(name ?? '', { isAdmin, passwordHash }, Date.now());
        console.log(`created ${user.isAdmin ? 'administrator' : 'user'} ${user.username}`);
        return 0;
      }
      case 'list':
        for (const u of await store.listUsers()) {
          const hasPassword = (await store.getPasswordHash(u.id)) !== null;
          console.log(
            `${u.username}\t${u.isAdmin ? 'admin' : 'user'}${hasPassword ? '' : '\t(no password yet)'}`,
          );
        }
        return 0;
      case 'passwd': {
        const user = await find();
        await store.setPasswordHash(user.id, await newPasswordHash());
        const ended = await store.deleteUserSessions(user.id);
        console.log(`password changed for ${user.username}; ${ended} session(s) ended`);
        return 0;
      }
      case 'remove': {
        const user = await find();
        await store.deleteUser(user.id);
        console.log(`removed ${user.username}`);
        return 0;
      }
      case 'key': {
        const user = await find();
        const { key } = await issueApiKey(store, user, values.label ?? 'command line', Date.now());
        console.log(key);
        return 0;
      }
      default:
        throw new GleanerError('USAGE', `unknown action "${action}"; see gleaner user --help`);
    }
  } finally {
    await ctx.close();
  }
}
