import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../src/db/tables/staging-tables.js'

/**
 * Generated staging rows for the benchmark, written by SQL inside SQLite so
 * that a million rows take seconds. Protocol i (1..H) has ten details;
 * every value is a function of i, so two runs load the same rows. The text
 * carries accents, µ and ñ (valid Latin1 for the varchar columns), some
 * line breaks and tabs (COPY escaping), and 2 % annulled protocols.
 */

/** SQL expressions of the header columns, in HEADER_COLUMNS order; `i` is the protocol number. */
function headerExpressions(idEfector: number): Record<string, string> {
  return {
    idProtocolo: 'i',
    idEfector: String(idEfector),
    apellido: `CASE i % 4 WHEN 0 THEN 'Núñez' WHEN 1 THEN 'Ibáñez Peña' WHEN 2 THEN 'González' ELSE 'Ruiz Díaz' END || ' ' || (i % 997)`,
    nombre: `CASE i % 3 WHEN 0 THEN 'María José' WHEN 1 THEN 'Joaquín' ELSE 'Begoña' END`,
    edad: 'i % 90',
    unidadEdad: `'Años'`,
    fechaNacimiento: `printf('%02d/%02d/%04d', 1 + i % 28, 1 + i % 12, 1940 + i % 80)`,
    sexo: `CASE i % 2 WHEN 0 THEN 'F' ELSE 'M' END`,
    numeroDocumento: '20000000 + i',
    fecha: `printf('%02d/11/2026', 1 + i % 28)`,
    fecha1: `printf('2026-11-%02d %02d:%02d:%02d.%03d', 1 + i % 28, i % 24, i % 60, (i / 60) % 60, i % 1000)`,
    domicilio: `'Av. San Martín ' || (100 + i % 3900)`,
    HC: '1000 + i % 90000',
    prioridad: `CASE WHEN i % 7 = 0 THEN 'Urgencia' ELSE 'Rutina' END`,
    origen: `'Ambulatorio'`,
    numero: `'2611-' || i`,
    hiv: '0',
    solicitante: `'DRA. PEÑA'`,
    sector: `'Consultorio externo'`,
    sala: `''`,
    cama: `CASE WHEN i % 3 = 0 THEN CAST(i % 30 AS TEXT) ELSE '' END`,
    embarazo: `''`,
    EfectorSolicitante: `'Hospital Central de la Provincia'`,
    idSolicitudScreening: 'NULL',
    fechaRecibeScreening: `CASE WHEN i % 5 = 0 THEN printf('2026-11-%02d 10:00:00.000', 1 + i % 28) ELSE NULL END`,
    observacionesResultados: `CASE WHEN i % 7 = 0 THEN 'Muestra levemente hemolizada.' || char(10) || 'Se sugiere repetir' || char(9) || 'en ayunas.' ELSE NULL END`,
    tipoMuestra: `'Sangre entera / Orina'`,
    baja: 'CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END',
    idLocalidad: '1 + i % 60',
    idProvincia: '6',
    telefonoFijo: 'NULL',
    telefonoCelular: `'379 15' || (100000 + i % 900000)`,
  }
}

/** SQL expressions of the detail columns; `i` is the protocol, `k` (1..10) the item. */
function detailExpressions(idEfector: number): Record<string, string> {
  return {
    idProtocolo: 'i',
    idEfector: String(idEfector),
    idDetalleProtocolo: 'i * 10 + k',
    codigoNomenclador: `CASE WHEN k = 1 THEN NULL ELSE '475' END`,
    codigo: `'GLU' || k`,
    ordenArea: '1 + k / 4',
    orden: 'k',
    area: `CASE WHEN k < 6 THEN 'Hematología' ELSE 'Química' END`,
    grupo: `'Hemograma'`,
    item: `CASE k % 3 WHEN 0 THEN 'Glóbulos rojos' WHEN 1 THEN 'Hemoglobina' ELSE 'Glucemia' END`,
    observaciones: `''`,
    esTitulo: `CASE WHEN k = 1 THEN 'Si' ELSE 'No' END`,
    derivado: `''`,
    unidad: `'x10^6/µL'`,
    hiv: '0',
    metodo: `'Enzimático (GOD-PAP)'`,
    valorReferencia: `'70 - 110'`,
    orden1: 'k',
    muestra: `'Si'`,
    conresultado: '1',
    resultado: `CASE WHEN k = 1 THEN NULL ELSE printf('%d,%02d', 60 + (i * k) % 180, (i + k) % 100) END`,
    codigo2: `'GLU' || k`,
    profesional_val: `'Bioq. Laura Sánchez MP 1234'`,
  }
}

const quote = (name: string) => `"${name}"`

/** INSERT … SELECT statements that fill a SQLite hospital's local staging with `headers` protocols. */
export function sqliteFillStatements(idEfector: number, headers: number): string[] {
  const header = headerExpressions(idEfector)
  const detail = detailExpressions(idEfector)
  const series = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${headers})`
  const items = `k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < 10)`
  return [
    `DELETE FROM "LAB_Temp_ResultadoEncabezado"`,
    `DELETE FROM "LAB_Temp_ResultadoDetalle"`,
    `${series} INSERT INTO "LAB_Temp_ResultadoEncabezado" (${HEADER_COLUMNS.map((c) => quote(c.name)).join(', ')})
      SELECT ${HEADER_COLUMNS.map((c) => header[c.name]).join(', ')} FROM n`,
    `${series}, ${items} INSERT INTO "LAB_Temp_ResultadoDetalle" (${DETAIL_COLUMNS.map((c) => quote(c.name)).join(', ')})
      SELECT ${DETAIL_COLUMNS.map((c) => detail[c.name]).join(', ')} FROM n CROSS JOIN k ORDER BY i, k`,
  ]
}

/** Details per protocol in the generated data. */
export const DETAILS_PER_HEADER = 10
