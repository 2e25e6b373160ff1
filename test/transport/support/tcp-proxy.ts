import net from 'node:net'

/**
 * A TCP relay on 127.0.0.1 in front of a server, counting the bytes each
 * way. `cutAfter(n)` drops every open connection once n more bytes have
 * gone from the clients to the server (the link to a hospital failing
 * half-way); new connections are relayed again afterwards.
 */
export class TcpProxy {
  readonly #server: net.Server
  readonly #sockets = new Set<net.Socket>()
  #cutAt: number | undefined
  bytesUp = 0
  bytesDown = 0
  cuts = 0
  /** Date.now() at the last cut. */
  cutAtMs: number | undefined

  private constructor(server: net.Server) {
    this.#server = server
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = net.createServer()
    const proxy = new TcpProxy(server)
    server.on('connection', (client) => proxy.#relay(client, targetPort, targetHost))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port
  }

  cutAfter(bytes: number): void {
    this.#cutAt = this.bytesUp + bytes
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #relay(client: net.Socket, port: number, host: string): void {
    const upstream = net.connect(port, host)
    this.#sockets.add(client).add(upstream)
    const forget = () => {
      this.#sockets.delete(client)
      this.#sockets.delete(upstream)
    }
    client.on('data', (data) => {
      this.bytesUp += data.length
      if (this.#cutAt !== undefined && this.bytesUp >= this.#cutAt) {
        this.#cutAt = undefined
        this.cuts += 1
        this.cutAtMs = Date.now()
        for (const socket of this.#sockets) socket.destroy()
        return
      }
      upstream.write(data)
    })
    upstream.on('data', (data) => {
      this.bytesDown += data.length
      client.write(data)
    })
    client.on('close', () => {
      upstream.destroy()
      forget()
    })
    upstream.on('close', () => {
      client.destroy()
      forget()
    })
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  }
}
