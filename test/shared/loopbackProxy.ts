import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';

/**
 * A forward proxy on 127.0.0.1, as HTTPS_PROXY or HTTP_PROXY names one: CONNECT tunnels (what undici's proxy agent opens)
 * and absolute-form requests. `proxied` records the host:port of every tunnel or forward it was asked for, so a test can
 * tell whether a request went through it, and to where.
 */
export type LoopbackProxy = { url: string; proxied: string[]; close: () => Promise<void> };

export async function startLoopbackProxy(): Promise<LoopbackProxy> {
  const proxied: string[] = [];
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    proxied.push(target.host);
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket: Socket, head) => {
    proxied.push(req.url ?? '');
    sockets.add(socket);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    proxied,
    close: async (): Promise<void> => {
      for (const socket of sockets) socket.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
