import type { Row } from '../../db/row-validator.js'
import type { Session } from '../../db/session.js'
import { HEADER_COLUMNS } from '../../db/tables/staging-tables.js'
import { exportedProtocolIds, selectList, streamRecords } from './builtin-protocol-selection.js'
import { ageUnit, bitValue, cleanObservations, ddmmyyyy, idValue, silDataError } from './builtin-values.js'
import type { SilSchema } from './sil-tables.js'

/** What the header pass learns for the detail pass: the exported protocols and whether each is annulled. */
export type ExportedProtocols = Map<number, { annulled: boolean }>

/**
 * The header rows of the builtin export (docs/EXPORT.md, "Header row"), one per
 * exported protocol, annulled ones included (baja = 1), in idProtocolo
 * order. Fills `exported` as it goes. Lookups are LEFT JOINs: a protocol
 * whose origin, priority, sector or requesting hospital is missing gets a
 * NULL there, which the staging check reports by protocol and column.
 */
export async function* builtinHeaderRows(
  source: Session,
  schema: SilSchema,
  idEfector: number,
  days: number,
  exported: ExportedProtocols,
): AsyncIterable<Row[]> {
  const p = (column: string) => `p.${schema.column('LAB_Protocolo', column)}`
  const pac = (column: string) => `pac.${schema.column('Sys_Paciente', column)}`
  const nameOf = (
    alias: string,
    table: 'LAB_Origen' | 'LAB_Prioridad' | 'LAB_SectorServicio' | 'Sys_Efector' | 'LAB_Muestra',
  ) => `${alias}.${schema.column(table, 'nombre')}`
  const { aliases, selections } = selectList({
    idProtocolo: p('idProtocolo'),
    apellido: pac('apellido'),
    nombre: pac('nombre'),
    edad: p('edad'),
    unidadEdad: p('unidadEdad'),
    fechaNacimiento: pac('fechaNacimiento'),
    sexo: p('sexo'),
    numeroDocumento: pac('numeroDocumento'),
    fecha: p('fecha'),
    referencia: pac('referencia'),
    historiaClinica: pac('historiaClinica'),
    prioridad: nameOf('pri', 'LAB_Prioridad'),
    origen: nameOf('ori', 'LAB_Origen'),
    numero: p('numero'),
    hiv: p('hiv'),
    solicitante: p('solicitante'),
    sector: nameOf('sec', 'LAB_SectorServicio'),
    sala: p('sala'),
    cama: p('cama'),
    embarazada: p('embarazada'),
    efectorSolicitante: nameOf('efs', 'Sys_Efector'),
    observacionesResultados: p('observacionesResultados'),
    idMuestra: p('idMuestra'),
    muestraFound: `mue.${schema.column('LAB_Muestra', 'idMuestra')}`,
    tipoMuestra: nameOf('mue', 'LAB_Muestra'),
    baja: p('baja'),
    idLocalidad: pac('idLocalidad'),
    idProvincia: pac('idProvincia'),
    telefonoFijo: pac('telefonoFijo'),
    telefonoCelular: pac('telefonoCelular'),
  })
  const query = source.db
    .selectFrom(`${schema.table('LAB_Protocolo')} as p`)
    .leftJoin(`${schema.table('Sys_Paciente')} as pac`, pac('idPaciente'), p('idPaciente'))
    .leftJoin(
      `${schema.table('LAB_Prioridad')} as pri`,
      `pri.${schema.column('LAB_Prioridad', 'idPrioridad')}`,
      p('idPrioridad'),
    )
    .leftJoin(`${schema.table('LAB_Origen')} as ori`, `ori.${schema.column('LAB_Origen', 'idOrigen')}`, p('idOrigen'))
    .leftJoin(
      `${schema.table('LAB_SectorServicio')} as sec`,
      `sec.${schema.column('LAB_SectorServicio', 'idSectorServicio')}`,
      p('idSector'),
    )
    .leftJoin(
      `${schema.table('Sys_Efector')} as efs`,
      `efs.${schema.column('Sys_Efector', 'idEfector')}`,
      p('idEfectorSolicitante'),
    )
    .leftJoin(
      `${schema.table('LAB_Muestra')} as mue`,
      `mue.${schema.column('LAB_Muestra', 'idMuestra')}`,
      p('idMuestra'),
    )
    .select(selections)
    .where(p('idProtocolo'), 'in', exportedProtocolIds(source, schema, { idEfector, days, activeOnly: false }))
    .orderBy(p('idProtocolo'))

  for await (const batch of streamRecords(source, query, aliases)) {
    yield batch.map((record) => {
      const row = headerValues(record, idEfector)
      exported.set(Number(record.idProtocolo), { annulled: row.baja === true })
      return HEADER_COLUMNS.map((column) => row[column.name] ?? null)
    })
  }
}

/** One SIL protocol (with its patient and lookups) as a staging header, by column name. */
export function headerValues(record: Record<string, unknown>, idEfector: number): Record<string, unknown> {
  const key = { idProtocolo: record.idProtocolo }
  const date = (column: 'fecha' | 'fechaNacimiento', table: string) => {
    try {
      return ddmmyyyy(record[column])
    } catch {
      throw silDataError(idEfector, table, key, column, 'not a valid datetime')
    }
  }
  if (idValue(record.idMuestra) !== null && record.muestraFound === null) {
    throw silDataError(idEfector, 'LAB_Protocolo', key, 'idMuestra', 'the sample type does not exist in LAB_Muestra')
  }
  const solicitante = record.solicitante
  return {
    idProtocolo: record.idProtocolo,
    idEfector,
    apellido: record.apellido,
    nombre: record.nombre,
    edad: record.edad,
    unidadEdad: ageUnit(record.unidadEdad),
    fechaNacimiento: date('fechaNacimiento', 'Sys_Paciente'),
    sexo: record.sexo,
    numeroDocumento: record.numeroDocumento,
    fecha: date('fecha', 'LAB_Protocolo'),
    fecha1: record.fecha,
    domicilio: record.referencia,
    HC: record.historiaClinica,
    prioridad: record.prioridad,
    origen: record.origen,
    numero: record.numero,
    hiv: bitValue(record.hiv),
    solicitante: typeof solicitante === 'string' ? solicitante.toLocaleUpperCase('es') : solicitante,
    sector: record.sector,
    sala: record.sala,
    cama: record.cama,
    embarazo: bitValue(record.embarazada) ? 'E' : '',
    EfectorSolicitante: record.efectorSolicitante,
    idSolicitudScreening: null,
    fechaRecibeScreening: null,
    observacionesResultados: cleanObservations(record.observacionesResultados),
    tipoMuestra: idValue(record.idMuestra) === null ? null : record.tipoMuestra,
    baja: bitValue(record.baja) === true,
    idLocalidad: record.idLocalidad,
    idProvincia: record.idProvincia,
    telefonoFijo: record.telefonoFijo,
    telefonoCelular: record.telefonoCelular,
  }
}
