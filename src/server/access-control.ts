import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { MonitorConfig } from '../core/config.js'

/**
 * Optional access control of the monitor: a bearer token, basic-auth
 * credentials, or both (either passes). Secrets are compared in constant
 * time (as SHA-256 digests, so lengths do not leak either) and never logged.
 * /health stays open, for load balancers and probes: it tells only whether
 * the database answers.
 */
export type Credentials = Pick<MonitorConfig, 'token' | 'basicAuth'>

export const OPEN_PATHS = new Set(['/health'])

export function hasAccessControl(credentials: Credentials): boolean {
  return credentials.token !== undefined || credentials.basicAuth !== undefined
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/** Whether an Authorization header carries the configured token or credentials. */
export function isAuthorized(header: string | undefined, credentials: Credentials): boolean {
  if (!header) return false
  const [scheme, value = ''] = header.trim().split(/\s+/, 2)
  if (/^bearer$/i.test(scheme) && credentials.token !== undefined) return sameSecret(value, credentials.token)
  if (/^basic$/i.test(scheme) && credentials.basicAuth) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return false
    // Both halves are always compared, so a wrong user takes as long as a wrong password.
    const userOk = sameSecret(decoded.slice(0, colon), credentials.basicAuth.username)
    const passwordOk = sameSecret(decoded.slice(colon + 1), credentials.basicAuth.password)
    return userOk && passwordOk
  }
  return false
}

/** A fastify onRequest hook that answers 401 unless the request is authorized. */
export function accessControlHook(credentials: Credentials) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (OPEN_PATHS.has(request.url.split('?')[0])) return
    if (isAuthorized(request.headers.authorization, credentials)) return
    const challenge = credentials.basicAuth
      ? 'Basic realm="labsync monitor", charset="UTF-8"'
      : 'Bearer realm="labsync monitor"'
    await reply
      .code(401)
      .header('www-authenticate', challenge)
      .send({ error: 'unauthorized', message: 'credentials required' })
  }
}
