import { afterEach, describe, expect, it } from 'vitest'
import {
  addMinutes,
  importBlockedBecause,
  uploadBlockedBecause,
  type StatusRow,
} from '../../src/protocol/efector-state.js'
import { importClaimable, uploadClaimable } from '../../src/status/status-conditions.js'
import { centralNow, listStatusRows } from '../../src/status/status-store.js'
import { Scenario } from '../support/scenario.js'
import { DIALECTS } from '../support/test-databases.js'

/**
 * The claim conditions exist twice: as SQL (status-conditions.ts, used by
 * the claims) and as TypeScript (efector-state.ts, used for the reasons
 * printed and by the monitor). This test builds many status rows, asks the
 * database which ones each claim would take, and compares with the
 * TypeScript answer, row by row.
 */
const LEASE = 60
const OFFSETS = [null, 'sentinel', 5, 120] as const // minutes ago; 'sentinel' is 2001-01-01

function combinations(now: string): Partial<StatusRow>[] {
  const at = (offset: number | 'sentinel' | null) =>
    offset === null ? null : offset === 'sentinel' ? '2001-01-01 00:00:00.000' : addMinutes(now, -offset)
  const rows: Partial<StatusRow>[] = []
  let id = 1
  for (const upStart of OFFSETS)
    for (const upEnd of [null, 2, 'sentinel'] as const)
      for (const syncStart of OFFSETS)
        for (const syncEnd of [null, 1, 'sentinel'] as const)
          for (const variant of [0, 1, 2]) {
            const row: Partial<StatusRow> = {
              idEfector: id++,
              ultimoUpdateEfectorInicio: at(upStart),
              ultimoUpdateEfectorFin: at(upEnd),
              ultimoSyncFechaInicio: at(syncStart),
              ultimoSyncFechaFin: at(syncEnd),
              minutosMinimoSyncEfector: variant === 1 ? 30 : 0,
              minutosMinimoSyncPrincipal: variant === 1 ? 30 : null,
            }
            if (variant === 2) {
              // Last upload made by labsync, sequence 3, imported up to 2; and a failed upload claim.
              row.labsyncUploadSeq = 3
              row.labsyncUploadFin = row.ultimoUpdateEfectorFin
              row.labsyncImportedSeq = 2
              row.labsyncUploadFailedInicio = row.ultimoUpdateEfectorInicio
              row.labsyncImportRetryAfter = addMinutes(now, 30)
            }
            rows.push(row)
          }
  return rows
}

describe.each(DIALECTS)('claim conditions on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('agree between SQL and TypeScript for every combination of status dates', async () => {
    scenario = await Scenario.create(dialect, [])
    await scenario.onCentral(async (session) => {
      const now = await centralNow(session)
      const rows = combinations(now)
      for (let start = 0; start < rows.length; start += 100) {
        await session.db
          .insertInto('LAB_EstadoSyncGeneral')
          .values(rows.slice(start, start + 100))
          .execute()
      }
      const stored = await listStatusRows(session, { name: 'LAB_EstadoSyncGeneral' })
      const ids = async (condition: ReturnType<typeof uploadClaimable>) =>
        (
          await session.db
            .selectFrom('LAB_EstadoSyncGeneral')
            .select('idEfector')
            .where(condition)
            .orderBy('idEfector')
            .execute()
        ).map((row) => Number(row.idEfector))
      const sqlUpload = await ids(uploadClaimable(session.dialect, LEASE))
      const sqlImport = await ids(importClaimable(session.dialect, LEASE))
      const tsUpload = stored
        .filter((row) => uploadBlockedBecause(row, now, LEASE) === undefined)
        .map((row) => row.idEfector)
      const tsImport = stored
        .filter((row) => importBlockedBecause(row, now, LEASE) === undefined)
        .map((row) => row.idEfector)
      expect(stored.length).toBe(rows.length)
      expect(sqlUpload).toEqual(tsUpload)
      expect(sqlImport).toEqual(tsImport)
      // Both sets are neither empty nor everything, so the comparison means something.
      expect(sqlUpload.length).toBeGreaterThan(10)
      expect(sqlImport.length).toBeGreaterThan(10)
      expect(sqlUpload.length).toBeLessThan(rows.length - 10)
      expect(sqlImport.length).toBeLessThan(rows.length - 10)
    })
  })
})
