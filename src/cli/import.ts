/** `ollama import` — not implemented yet in this build. */
export async function run(): Promise<number> {
  process.stderr.write('Error: `ollama import` is not implemented yet in this build of Tollama\n');
  return 1;
}
