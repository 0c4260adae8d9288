// `npm run bench -- NAME [args]` runs bench/NAME.ts; with no name, lists the benchmarks.
import { readdirSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'lib.ts')
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);

if (!name || !names.includes(name)) {
  if (name) console.error(`No benchmark named "${name}".`);
  console.log(`Usage: npm run bench -- NAME [args]\nBenchmarks: ${names.join(', ')}`);
  process.exitCode = name ? 1 : 0;
} else {
  const bench = (await import(new URL(`${name}.ts`, dir).href)) as {
    main: (args: string[]) => Promise<void>;
  };
  await bench.main(args);
}
