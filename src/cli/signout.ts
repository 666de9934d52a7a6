/** `ollama signout`: there is no ollama.com account in Tollama, so nothing to sign out of. */
export async function run(): Promise<number> {
  process.stderr.write('Error: signing out of ollama.com is not supported by Tollama; it never signs in, so there is no account to sign out of\n');
  return 1;
}
