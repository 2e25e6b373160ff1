import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { warning, type Finding } from './finding.js'

/** A database URL's password, or a `password=` / `pwd=` option, as written. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^@]*)@/i
const OPTION_PASSWORD = /(?:^|[?&;])(?:password|pwd)=([^&;]*)/i
/** Keys whose whole value is a secret. */
const SECRET_KEY = /^(password|token|secret)$/i

/**
 * Passwords written in the configuration file itself rather than taken from
 * the environment with `${NAME}`: anyone who can read the file can read
 * them. Reads the file as written (before `${NAME}` is replaced); a file
 * that cannot be read again says nothing here. Never prints the value.
 */
export function checkLiteralSecrets(file: string): Finding[] {
  let raw: unknown
  try {
    raw = parseYaml(readFileSync(file, 'utf8'))
  } catch {
    return []
  }
  const keys: string[] = []
  const walk = (value: unknown, keyPath: string[]) => {
    if (typeof value === 'string') {
      const secret = SECRET_KEY.test(keyPath[keyPath.length - 1] ?? '')
        ? value
        : (URL_PASSWORD.exec(value) ?? OPTION_PASSWORD.exec(value))?.[1]
      if (secret && !/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(secret)) keys.push(keyPath.join('.'))
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...keyPath, String(index)]))
    else if (value && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) walk(item, [...keyPath, key])
  }
  walk(raw, [])
  return keys.map((key) =>
    warning(
      'configuration',
      `${key} holds a password written in ${file}: whoever can read the file can read it`,
      `write \${NAME} in its place and set NAME in the service's environment (systemd: EnvironmentFile= with chmod 600)`,
    ),
  )
}
