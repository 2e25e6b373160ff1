import { SIL_TABLES } from '../agent/export/sil-tables.js'
import { createTableSql } from '../db/schema-plan.js'
import type { Session } from '../db/session.js'

/** The lookups the export makes by protocol, indexed as a real SIL would be. */
const PROTOCOL_INDEXES = [
  ['LAB_DetalleProtocolo', 'idProtocolo'],
  ['LAB_ProtocoloGermen', 'idProtocolo'],
  ['LAB_Antibiograma', 'idProtocolo'],
] as const

/**
 * Creates the SIL tables of docs/EXPORT.md (the subset the builtin export
 * reads), for the demo and the tests. A real hospital has them already;
 * labsync never creates them there.
 */
export async function createSilTables(session: Session): Promise<void> {
  const { dialect } = session
  await session.transaction(async () => {
    for (const spec of Object.values(SIL_TABLES)) {
      await session.connection.execute({ sql: createTableSql(dialect, { name: spec.name }, spec), parameters: [] })
    }
    for (const [table, column] of PROTOCOL_INDEXES) {
      const index = dialect.quote(`IX_${table}_${column}`)
      await session.connection.execute({
        sql: `CREATE INDEX ${index} ON ${dialect.qualify({ name: table })} (${dialect.quote(column)})`,
        parameters: [],
      })
    }
  })
}
