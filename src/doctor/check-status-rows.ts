import type { CentralConfig } from '../core/config.js'
import { checkIdentifier } from '../core/identifiers.js'
import { LabsyncError } from '../core/errors.js'
import type { TableSpec } from '../db/column-spec.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { detailTable, headerTable } from '../db/tables/staging-tables.js'
import { deriveState, type StatusRow } from '../protocol/efector-state.js'
import { centralNow, listStatusRows, readStatusRow } from '../status/status-store.js'
import { checkTables } from './check-schema.js'
import { ok, problem, warning, type Finding } from './finding.js'

/**
 * The status rows doctor looks at: the hospital's own (an efector
 * configuration) or every hospital's (the central importer). Each must name
 * staging tables that exist with labsync's columns; a claim past its lease
 * or a recorded error is reported with what to do.
 */
export async function checkStatusRows(
  session: Session,
  area: string,
  status: TableName,
  central: CentralConfig,
  idEfector: number | undefined,
): Promise<{ findings: Finding[]; rows: StatusRow[]; staging: StagingTable[] }> {
  const findings: Finding[] = []
  let rows: StatusRow[]
  if (idEfector !== undefined) {
    const row = await readStatusRow(session, status, idEfector)
    if (!row) {
      findings.push(
        problem(
          area,
          `hospital ${idEfector} has no row in ${status.name}`,
          `labsync central add-efector --id ${idEfector} --name <StagingName>`,
        ),
      )
      return { findings, rows: [], staging: [] }
    }
    rows = [row]
  } else {
    rows = await listStatusRows(session, status)
    findings.push(
      rows.length === 0
        ? warning(area, `${status.name} has no hospital yet`, 'labsync central add-efector --id N --name NAME')
        : ok(area, `${rows.length} hospitals registered`),
    )
  }

  const now = await centralNow(session)
  const q = session.dialect
  const found: StagingTable[] = []
  for (const row of rows) {
    const who = `hospital ${row.idEfector}`
    let names: { header: string; detail: string }
    try {
      names = {
        header: checkIdentifier(row.tablaEncabezado, 'tablaEncabezado', { efector: row.idEfector }),
        detail: checkIdentifier(row.tablaDetalle, 'tablaDetalle', { efector: row.idEfector }),
      }
    } catch (error) {
      findings.push(
        problem(
          area,
          `${who}: ${(error as LabsyncError).message}`,
          `UPDATE ${q.qualify(status)} SET ${q.quote('tablaEncabezado')} = '...', ${q.quote('tablaDetalle')} = '...' WHERE ${q.quote('idEfector')} = ${row.idEfector};`,
        ),
      )
      continue
    }
    const specs = [headerTable(names.header), detailTable(names.detail)]
    const staging = await checkTables(session, `${area}, ${who}`, specs, {
      schema: central.schema,
      install:
        'labsync central install (it adds missing columns; `labsync central add-efector` creates missing tables)',
    })
    findings.push(...staging.findings)
    for (const spec of specs) {
      const table = staging.found.get(spec.name)
      if (table) found.push({ idEfector: row.idEfector, table, spec })
    }

    const state = deriveState(row, now, central.leaseMinutes)
    const set = (values: string) =>
      `UPDATE ${q.qualify(status)} SET ${values} WHERE ${q.quote('idEfector')} = ${row.idEfector};`
    if (state.staleUpload) {
      findings.push(
        warning(
          area,
          `${who}: an upload claimed at ${row.ultimoUpdateEfectorInicio} by ${row.labsyncUploadOwner ?? 'the legacy job'} never finished (past the ${central.leaseMinutes}-minute lease); the next upload takes it over`,
          `nothing, or to release it now: ${set(`${q.quote('labsyncUploadFailedInicio')} = ${q.quote('ultimoUpdateEfectorInicio')}, ${q.quote('labsyncUploadOwner')} = NULL`)}`,
        ),
      )
    }
    if (state.staleImport) {
      findings.push(
        warning(
          area,
          `${who}: an import claimed at ${row.ultimoSyncFechaInicio} by ${row.labsyncImportOwner ?? 'the legacy job'} never finished (past the lease); the next pass takes it over`,
          `nothing, or to release it now: ${set(`${q.quote('ultimoSyncFechaFin')} = ${q.quote('ultimoSyncFechaInicio')}, ${q.quote('labsyncImportOwner')} = NULL`)}`,
        ),
      )
    }
    if (state.uploadFailed && row.labsyncUploadError) {
      findings.push(
        warning(
          area,
          `${who}: the last upload failed: ${row.labsyncUploadError}`,
          'read the error; the next upload retries (labsync status)',
        ),
      )
    }
    if (row.labsyncImportError) {
      findings.push(
        warning(
          area,
          `${who}: the last import failed: ${row.labsyncImportError}`,
          'read the error; a later pass retries after the backoff (labsync status)',
        ),
      )
    }
    if (!state.staleUpload && !state.staleImport && !state.uploadFailed && !row.labsyncImportError) {
      findings.push(ok(area, `${who}: status row ${state.state}`))
    }
  }
  return { findings, rows, staging: found }
}

/** A hospital's central staging table as found, with its spec. */
export interface StagingTable {
  idEfector: number
  table: TableName
  spec: TableSpec
}
