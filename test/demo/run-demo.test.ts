import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runDemo } from '../../src/demo/run-demo.js'
import { openDatabase } from '../../src/db/open-database.js'
import { usingSession } from '../../src/db/session.js'

describe('labsync demo', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('fills the SIL tables, exports, uploads and imports them, and round 2 reaches the central tables', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labsync-demo-test-'))
    const lines: string[] = []
    const result = await runDemo({
      dir: path.join(dir, 'demo'),
      efectores: 2,
      protocols: 200,
      seed: 7,
      out: (line) => lines.push(line),
    })

    expect(result.hospitals.map((hospital) => hospital.idEfector)).toEqual([101, 102])
    expect(readFileSync(path.join(result.dir, 'efector-101.yaml'), 'utf8')).toMatch(/mode: builtin\n\s+days: 30/)
    const central = openDatabase(`sqlite:${path.join(result.dir, 'central.db')}`)
    try {
      for (const hospital of result.hospitals) {
        // Some protocols fall outside the window, belong to excluded patients or other services: not all 200 go.
        expect(hospital.round1.uploadedHeaders).toBeGreaterThan(100)
        expect(hospital.round1.uploadedHeaders).toBeLessThan(200)
        expect(hospital.round1.uploadedDetails).toBeGreaterThan(hospital.round1.uploadedHeaders)
        expect(hospital.round2.annulled).toBeGreaterThan(0)
        expect(hospital.round2.edited).toBeGreaterThan(0)
        expect(hospital.round2.deletedProtocols).toBe(hospital.round2.annulled)

        const counts = await usingSession(central, async (session) => {
          const count = async (table: string, where?: [string, string, string]) => {
            let query = session.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .where('idEfector', '=', hospital.idEfector)
            if (where) query = query.where(where[0], where[1] as 'like', where[2])
            return Number((await query.executeTakeFirstOrThrow()).n)
          }
          return {
            headers: await count('LAB_ResultadoEncabezado'),
            details: await count('LAB_ResultadoDetalle'),
            isolates: await count('LAB_ResultadoDetalle', ['item', '=', 'Aislamiento']),
            antibiograms: await count('LAB_ResultadoDetalle', ['item', 'like', 'ATB %']),
            corrected: await count('LAB_ResultadoDetalle', [
              'observaciones',
              '=',
              'Resultado corregido: se repitió la determinación.',
            ]),
          }
        })
        expect(counts.headers).toBe(hospital.central.headers)
        expect(counts.details).toBe(hospital.central.details)
        expect(counts.headers).toBeGreaterThan(0)
        expect(counts.isolates).toBeGreaterThan(0)
        expect(counts.antibiograms).toBeGreaterThan(0)
        expect(counts.corrected).toBe(hospital.round2.edited)

        // The patients the SIL marks as excluded (idEstado 2) never reach the central tables.
        const local = openDatabase(`sqlite:${path.join(result.dir, `efector-${hospital.idEfector}.db`)}`)
        const excluded = await usingSession(local, (session) =>
          session.db.selectFrom('Sys_Paciente').select('numeroDocumento').where('idEstado', '=', 2).execute(),
        )
        await local.close()
        expect(excluded.length).toBeGreaterThan(0)
        const centralDocuments = await usingSession(central, (session) =>
          session.db
            .selectFrom('LAB_ResultadoEncabezado')
            .select('numeroDocumento')
            .where('idEfector', '=', hospital.idEfector)
            .execute(),
        )
        const present = new Set(centralDocuments.map((row) => Number(row.numeroDocumento)))
        expect(excluded.filter((patient) => present.has(Number(patient.numeroDocumento)))).toEqual([])
      }
    } finally {
      await central.close()
    }
  })

  it('generates the same laboratory from the same seed', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labsync-demo-test-'))
    const first = await runDemo({ dir: path.join(dir, 'a'), efectores: 1, protocols: 120, seed: 3, out: () => {} })
    const second = await runDemo({ dir: path.join(dir, 'b'), efectores: 1, protocols: 120, seed: 3, out: () => {} })
    const other = await runDemo({ dir: path.join(dir, 'c'), efectores: 1, protocols: 120, seed: 4, out: () => {} })
    expect(second.hospitals).toEqual(first.hospitals)
    expect(other.hospitals).not.toEqual(first.hospitals)
  })
})
