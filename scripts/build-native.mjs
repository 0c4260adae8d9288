// Compiles our SQLite extension, native/rank.c (gleaner_bm25, the search ranking function) and
// native/quote.c (gleaner_json_quote, bodies quoted for the client APIs), into dist/native/, against
// the SQLite headers better-sqlite3 builds with. Run by `npm run build`. Without a C compiler it says
// so and stops without failing: search then ranks with FTS5's own bm25(), which gives the same order
// and costs more on words many entries hold, and bodies are quoted by json_quote(), the same bytes,
// slower.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const headers = join(dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
const suffix = process.platform === 'darwin' ? 'dylib' : 'so';
const out = join(root, 'dist', 'native', `gleaner_sqlite.${suffix}`);
mkdirSync(dirname(out), { recursive: true });
const compiler = process.env.CC || 'cc';
const args = [
  '-O2',
  '-fPIC',
  process.platform === 'darwin' ? '-dynamiclib' : '-shared',
  '-I',
  headers,
  join(root, 'native', 'rank.c'),
  join(root, 'native', 'quote.c'),
  '-o',
  out,
  '-lm',
];
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.status !== 0) {
  const why = result.error ? result.error.message : `${compiler} exited with ${result.status}`;
  console.warn(
    `build-native: could not compile native/ (${why}); search will rank with SQLite's bm25(), slower on common words, and bodies be quoted by json_quote(), slower`,
  );
}
