import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { mapStrings, urlPasswords, usesEnvironment } from '../core/config.js'
import { warning, type Finding } from './finding.js'

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
  mapStrings(raw, (text, keyPath) => {
    const secrets = SECRET_KEY.test(keyPath[keyPath.length - 1] ?? '') ? [text] : urlPasswords(text)
    if (secrets.some((secret) => secret !== '' && !usesEnvironment(secret))) keys.push(keyPath.join('.'))
    return text
  })
  return keys.map((key) =>
    warning(
      'configuration',
      `${key} holds a password written in ${file}: whoever can read the file can read it`,
      `write \${NAME} in its place and set NAME in the service's environment (systemd: EnvironmentFile= with chmod 600)`,
    ),
  )
}
