/**
 * Idle keep-alive connections, as Go's server treats them (Ollama sets no IdleTimeout): never
 * closed because time passed. Node's default closes them after 5 s, and pooling clients (undici,
 * Node's http.Agent) that reuse a connection just as the server closes it fail with "other side
 * closed" / ECONNRESET. Instead, only the number of idle connections is bounded: past the cap the
 * one idle longest is closed, so idle clients cannot use up the server's file descriptors.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

/** Idle connections kept at most (Node's http.Agent keeps at most 256 free sockets too). */
export const MAX_IDLE_SOCKETS = 256;

/** Turns off the idle timeout of `server` and closes the longest-idle connection past `cap`. */
export function keepIdleConnections(server: http.Server, cap = MAX_IDLE_SOCKETS): void {
  server.keepAliveTimeout = 0; // never by time; no `Keep-Alive: timeout=` header either, as Go
  const limit = Math.max(0, Math.floor(cap));
  const idle = new Set<Socket>(); // insertion order: longest idle first
  const busy = new WeakMap<Socket, number>(); // requests in flight per connection

  server.on('connection', (socket: Socket) => {
    socket.once('close', () => idle.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    idle.delete(socket);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const n = (busy.get(socket) ?? 1) - 1;
      busy.set(socket, n);
      if (n > 0 || socket.destroyed) return;
      idle.add(socket);
      for (const oldest of idle) {
        if (idle.size <= limit) break;
        idle.delete(oldest);
        oldest.destroy();
      }
    });
  });
}
