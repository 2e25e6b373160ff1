import { CENTRAL_HEADER_COLUMNS, DETAIL_COLUMNS } from '../src/db/tables/staging-tables.js'
import type { BenchDatabase } from './bench-databases.js'

/**
 * The row-by-row baseline: the legacy procedure's merge, inside the
 * database as a PL/pgSQL loop. It copies the hospital's staging into
 * unindexed work tables first (the legacy `LAB_Temp_` tables have no key),
 * then, one protocol at a time: delete the central header, insert the
 * staged one, delete the protocol's central details and insert its staged
 * details (annulled protocols are only deleted). Timed on the loop alone,
 * in a transaction that is rolled back, so the central tables keep the state
 * labsync's own merge then starts from.
 */
const q = (name: string) => `"${name}"`

export async function timeLegacyMerge(
  central: BenchDatabase,
  idEfector: number,
  staging: { header: string; detail: string },
): Promise<number> {
  const headerColumns = CENTRAL_HEADER_COLUMNS.map((column) => column.name)
  const headerSelect = headerColumns.map((name) => (name === 'cda' ? 'NULL' : q(name))).join(', ')
  const detailColumns = DETAIL_COLUMNS.map((column) => q(column.name)).join(', ')
  const loop = `DO $legacy$
DECLARE p record;
BEGIN
  FOR p IN SELECT "idProtocolo", baja FROM legacy_header WHERE "idEfector" = ${idEfector} LOOP
    DELETE FROM "LAB_ResultadoEncabezado" WHERE "idEfector" = ${idEfector} AND "idProtocolo" = p."idProtocolo";
    DELETE FROM "LAB_ResultadoDetalle" WHERE "idEfector" = ${idEfector} AND "idProtocolo" = p."idProtocolo";
    IF NOT p.baja THEN
      INSERT INTO "LAB_ResultadoEncabezado" (${headerColumns.map(q).join(', ')})
        SELECT ${headerSelect} FROM legacy_header WHERE "idEfector" = ${idEfector} AND "idProtocolo" = p."idProtocolo";
      INSERT INTO "LAB_ResultadoDetalle" (${detailColumns})
        SELECT ${detailColumns} FROM legacy_detail WHERE "idEfector" = ${idEfector} AND "idProtocolo" = p."idProtocolo";
    END IF;
  END LOOP;
END
$legacy$`
  await central.query('BEGIN')
  try {
    await central.query(`CREATE TEMP TABLE legacy_header ON COMMIT DROP AS SELECT * FROM ${q(staging.header)}`)
    await central.query(`CREATE TEMP TABLE legacy_detail ON COMMIT DROP AS SELECT * FROM ${q(staging.detail)}`)
    const started = performance.now()
    await central.query(loop)
    return (performance.now() - started) / 1000
  } finally {
    await central.query('ROLLBACK')
  }
}
