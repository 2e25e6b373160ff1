import { detail, header } from './staging-fixtures.js'

/**
 * A large staging set for tests that need an upload that takes a while:
 * `headers` protocols with `detailsPerHeader` details each, whose
 * `resultado` is `resultLength` characters long (made up, not patient data).
 */
export function generatedStaging(idEfector: number, headers: number, detailsPerHeader: number, resultLength = 200) {
  const headerRows: Record<string, unknown>[] = []
  const detailRows: Record<string, unknown>[] = []
  const filler = 'r'.repeat(resultLength)
  for (let protocol = 1; protocol <= headers; protocol++) {
    headerRows.push(header({ idProtocolo: protocol, idEfector }))
    for (let item = 1; item <= detailsPerHeader; item++) {
      detailRows.push(detail({ idProtocolo: protocol, idEfector, idDetalleProtocolo: item, resultado: filler }))
    }
  }
  return { headers: headerRows, details: detailRows }
}
