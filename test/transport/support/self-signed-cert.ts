import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { makeTempFolder } from '../../support/temp-folder.js'

/** A throw-away self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
export interface TestCertificate {
  dir: string
  certFile: string
  keyFile: string
  cert: Buffer
}

export function makeSelfSignedCertificate(): TestCertificate {
  const dir = makeTempFolder('tls')
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=labsync-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  )
  return { dir, certFile, keyFile, cert: readFileSync(certFile) }
}
