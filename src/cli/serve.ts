/** `ollama serve`: runs the server in the foreground until SIGINT/SIGTERM. */
export async function run(): Promise<number> {
  const { startServer } = await import('../server/server.js');
  const running = await startServer().catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      throw new Error(`listen tcp ${err.message.replace(/^listen \w+: /, '')}`);
    }
    throw err;
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}
