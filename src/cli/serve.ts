// `gleaner serve`: the reader's HTTP server. Not built yet.
export function run(_args: string[]): Promise<number> {
  console.error('gleaner serve: the web reader is not built yet; use `gleaner parse` meanwhile.');
  return Promise.resolve(1);
}
