import { isIP } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { LabsyncError } from '../core/errors.js'

/**
 * Where the monitor binds. Without a token or basic-auth credentials it
 * serves only the loopback interface, whatever was asked, and says so.
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

export interface BindPlan {
  host: string
  /** A line to print at start, when the plan differs from what was asked or has no access control. */
  notice?: string
}

export function planBind(requestedHost: string, secured: boolean): BindPlan {
  if (secured) return { host: requestedHost }
  if (isLoopback(requestedHost)) {
    return {
      host: requestedHost,
      notice: 'no monitor.token or monitor.basicAuth configured: serving the loopback interface only',
    }
  }
  return {
    host: '127.0.0.1',
    notice: `no monitor.token or monitor.basicAuth configured: serving 127.0.0.1 only, not ${requestedHost}`,
  }
}

/** Listens and returns the URL the monitor answers on. */
export async function listenMonitor(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    await app.listen({ host, port })
  } catch (error) {
    // A port in use or an address this machine does not have: the --port / --host to correct, as `central serve` says.
    throw new LabsyncError('LABSYNC_CONFIG', `cannot listen on ${host}:${port}: ${(error as Error).message}`)
  }
  const address = app.server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `http://${shownHost}:${actualPort}/`
}
