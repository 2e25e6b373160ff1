import { sql, type Expression, type SelectQueryBuilder } from 'kysely'
import type { Session } from '../../db/session.js'
import { BATCH_SIZE } from '../staging-rows.js'
import type { SilSchema } from './sil-tables.js'

/** The patient state whose protocols are never exported (docs/EXPORT.md, "Which protocols"). */
export const EXCLUDED_PATIENT_STATE = 2
/** Only protocols whose idTipoServicio is below this are exported. */
export const SERVICE_TYPE_LIMIT = 4

export interface SelectionOptions {
  idEfector: number
  days: number
  /** Leave annulled protocols (baja = 1) out: their details are never exported. */
  activeOnly: boolean
}

/**
 * The idProtocolo of every protocol the export takes (docs/EXPORT.md, "Which
 * protocols"), as a subquery: this hospital's protocols with idTipoServicio
 * below 4, whose patient's idEstado is not 2, with at least one item whose
 * fechaValida or fechaValidaObservacion falls on or after the first day of
 * the window.
 *
 * "Today" is the date on the SIL database's own clock, as the legacy
 * procedure's GETDATE() was, not the clock of the machine that runs
 * labsync. Only protocols of the configured idEfector are taken, as a SIL
 * may hold other centres' protocols. A protocol whose patient row is
 * missing is taken, so that the export stops on it instead of dropping it
 * silently; a NULL baja counts as not annulled.
 */
export function exportedProtocolIds(
  source: Session,
  schema: SilSchema,
  options: SelectionOptions,
): Expression<unknown> {
  const p = (column: string) => `sel_p.${schema.column('LAB_Protocolo', column)}`
  const pac = (column: string) => `sel_pac.${schema.column('Sys_Paciente', column)}`
  const d = (column: string) => `sel_d.${schema.column('LAB_DetalleProtocolo', column)}`
  const windowStart = source.dialect.startOfDayDaysAgo(options.days)

  let query = source.db
    .selectFrom(`${schema.table('LAB_Protocolo')} as sel_p`)
    .leftJoin(`${schema.table('Sys_Paciente')} as sel_pac`, pac('idPaciente'), p('idPaciente'))
    .select(p('idProtocolo'))
    .where(p('idEfector'), '=', options.idEfector)
    .where(p('idTipoServicio'), '<', SERVICE_TYPE_LIMIT)
    .where((eb) => eb.or([eb(pac('idEstado'), 'is', null), eb(pac('idEstado'), '<>', EXCLUDED_PATIENT_STATE)]))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom(`${schema.table('LAB_DetalleProtocolo')} as sel_d`)
          .select(sql.lit(1).as('one'))
          .whereRef(d('idProtocolo'), '=', p('idProtocolo'))
          .where((inner) =>
            inner.or([
              inner(d('fechaValida'), '>=', windowStart),
              inner(d('fechaValidaObservacion'), '>=', windowStart),
            ]),
          ),
      ),
    )
  if (options.activeOnly) {
    query = query.where((eb) => eb.or([eb(p('baja'), 'is', null), eb(p('baja'), '=', source.dialect.bit(false))]))
  }
  return query
}

/**
 * Streams a SELECT whose select list is `aliases`, in that order, as
 * objects keyed by alias, a batch at a time.
 */
export async function* streamRecords(
  source: Session,
  query: SelectQueryBuilder<any, any, any>,
  aliases: readonly string[],
): AsyncIterable<Record<string, unknown>[]> {
  for await (const batch of source.connection.stream(query.compile(), BATCH_SIZE)) {
    yield batch.map((row) => {
      const record: Record<string, unknown> = {}
      for (let index = 0; index < aliases.length; index++) record[aliases[index]] = row[index]
      return record
    })
  }
}

/** A select list built from `alias: 'table.column'` pairs, in a fixed order. */
export function selectList(fields: Record<string, string>): { aliases: string[]; selections: string[] } {
  const aliases = Object.keys(fields)
  return { aliases, selections: aliases.map((alias) => `${fields[alias]} as ${alias}`) }
}
