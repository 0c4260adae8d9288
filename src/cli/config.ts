// `gleaner config`: the effective configuration, secrets masked.
import { describeConfig, loadConfig } from '../config/index.js';

export function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      'usage: gleaner config\n\nPrints every option with its effective value (secrets masked) and what it does.',
    );
    return Promise.resolve(0);
  }
  for (const line of describeConfig(loadConfig())) console.log(line);
  return Promise.resolve(0);
}
