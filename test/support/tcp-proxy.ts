import { EventEmitter } from 'node:events'
import net from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, for tests of a
 * weak link: it can cut a connection, stall it, or slow it down once the
 * client has sent a given number of bytes on it. Only loopback is used.
 */
export class TcpProxy extends EventEmitter<{ cut: [number]; stall: [number] }> {
  readonly #server: net.Server
  readonly #sockets = new Set<net.Socket>()
  #cutAfter: { bytes: number; times: number } | undefined
  #cutWhen: { text: string; times: number } | undefined
  #stallAfter: number | undefined
  #throttleMs = 0
  #stalled: Array<() => void> = []
  cuts = 0
  connections = 0
  /** Bytes the clients have sent through the proxy, over all connections. */
  bytesUp = 0

  private constructor(server: net.Server) {
    super()
    this.#server = server
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    if (target.host !== '127.0.0.1' && target.host !== 'localhost' && target.host !== '::1') {
      throw new Error('the test proxy only forwards to loopback')
    }
    const server = net.createServer()
    const proxy = new TcpProxy(server)
    server.on('connection', (client) => proxy.#forward(client, target))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port
  }

  /** Cuts (destroys both ends of) each of the next `times` connections that send more than `bytes`. */
  cutAfter(bytes: number, times = Number.POSITIVE_INFINITY): void {
    this.#cutAfter = { bytes, times }
  }

  /** Cuts each of the next `times` connections that send a chunk containing `text` (say, a statement's start), before it reaches the server. */
  cutWhen(text: string, times = 1): void {
    this.#cutWhen = { text, times }
  }

  /** Stops forwarding what a connection sends once it has sent more than `bytes`, until resume(). */
  stallAfter(bytes: number): void {
    this.#stallAfter = bytes
  }

  /** Delays every client chunk by `ms` (0: full speed). */
  throttle(ms: number): void {
    this.#throttleMs = ms
  }

  /** Lets stalled connections go on and stops stalling and throttling. */
  resume(): void {
    this.#stallAfter = undefined
    this.#throttleMs = 0
    for (const go of this.#stalled.splice(0)) go()
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #forward(client: net.Socket, target: { host: string; port: number }): void {
    const connection = ++this.connections
    const upstream = net.connect(target.port, target.host)
    this.#sockets.add(client).add(upstream)
    let sent = 0
    let held: Buffer[] | undefined
    const destroy = () => {
      client.destroy()
      upstream.destroy()
      this.#sockets.delete(client)
      this.#sockets.delete(upstream)
    }
    client.on('error', destroy).on('close', destroy)
    upstream.on('error', destroy).on('close', destroy)
    upstream.on('data', (chunk) => client.write(chunk))
    client.on('data', (chunk) => {
      sent += chunk.length
      this.bytesUp += chunk.length
      const cut = this.#cutAfter
      const when = this.#cutWhen
      const matches = when !== undefined && when.times > 0 && chunk.includes(when.text)
      if (matches) when!.times -= 1
      if (matches || (cut && cut.times > 0 && sent > cut.bytes)) {
        if (!matches) cut!.times -= 1
        this.cuts += 1
        destroy()
        this.emit('cut', connection)
        return
      }
      if (held) {
        held.push(chunk)
        return
      }
      if (this.#stallAfter !== undefined && sent > this.#stallAfter) {
        // Held in memory rather than by pausing the socket: a paused socket would not see the client go away.
        const chunks: Buffer[] = [chunk]
        held = chunks
        this.#stalled.push(() => {
          held = undefined
          for (const waiting of chunks) upstream.write(waiting)
        })
        this.emit('stall', connection)
        return
      }
      upstream.write(chunk)
      if (this.#throttleMs > 0) {
        client.pause()
        setTimeout(() => client.resume(), this.#throttleMs)
      }
    })
  }
}
