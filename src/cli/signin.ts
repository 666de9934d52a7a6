/** `ollama signin`: ollama.com accounts are not part of Tollama. */
export async function run(): Promise<number> {
  process.stderr.write('Error: signing in to ollama.com is not supported by Tollama; pulls from registry.ollama.ai need no account\n');
  return 1;
}
