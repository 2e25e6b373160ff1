import type { Row } from '../../db/row-validator.js'
import type { Session } from '../../db/session.js'
import { DETAIL_COLUMNS } from '../../db/tables/staging-tables.js'
import type { ExportedProtocols } from './builtin-header-rows.js'
import { exportedProtocolIds, selectList, streamRecords } from './builtin-protocol-selection.js'
import { bitValue, idValue, isUserSet, sampleMissing, silDataError } from './builtin-values.js'
import { formatDecimal } from './decimal-format.js'
import type { SilSchema } from './sil-tables.js'

/** LAB_Item.idCategoria of a title. */
const TITLE_CATEGORY = 1
/** LAB_Item.idTipoResultado of a numeric item. */
const NUMERIC_RESULT = 1
/** The order fields of isolate and antibiogram rows. */
const LAST_ORDER = 9999
const MAX_DECIMALS = 4

export interface DetailPassOptions {
  idEfector: number
  days: number
  /** Filled by the header pass: details of protocols it did not export, or exported annulled, are left out. */
  exported: ExportedProtocols
}

/**
 * The detail rows of the builtin export (docs/EXPORT.md, "Detail rows"): the
 * validated items of every exported protocol that is not annulled, then
 * one row per isolate and one per validated antibiogram. Runs after the
 * header pass, and keeps only rows of protocols it exported as active,
 * so that a protocol validated or annulled between the two reads never
 * has details without a header.
 */
export async function* builtinDetailRows(
  source: Session,
  schema: SilSchema,
  options: DetailPassOptions,
): AsyncIterable<Row[]> {
  const seenNegativeKeys = new Set<string>()
  const keepActive = (record: Record<string, unknown>) =>
    options.exported.get(Number(record.idProtocolo))?.annulled === false
  const toRow = (values: Record<string, unknown>): Row => {
    const id = values.idDetalleProtocolo as number
    if (id < 0) {
      const key = `${String(values.idProtocolo)}:${id}`
      if (seenNegativeKeys.has(key)) {
        throw silDataError(
          options.idEfector,
          'LAB_Antibiograma',
          { idProtocolo: values.idProtocolo, idDetalleProtocolo: id },
          'idAntibiograma',
          'an isolate and an antibiogram of this protocol have the same id, so their staging rows would share a key',
        )
      }
      seenNegativeKeys.add(key)
    }
    return DETAIL_COLUMNS.map((column) => values[column.name] ?? null)
  }

  for (const pass of [itemRecords, isolateRecords, antibiogramRecords]) {
    for await (const batch of pass(source, schema, options)) {
      const rows: Row[] = []
      for (const values of batch) if (keepActive(values)) rows.push(toRow(values))
      if (rows.length > 0) yield rows
    }
  }
}

async function* itemRecords(
  source: Session,
  schema: SilSchema,
  options: DetailPassOptions,
): AsyncIterable<Record<string, unknown>[]> {
  const d = (column: string) => `d.${schema.column('LAB_DetalleProtocolo', column)}`
  const item = (alias: string, column: string) => `${alias}.${schema.column('LAB_Item', column)}`
  const { aliases, selections } = selectList({
    idProtocolo: d('idProtocolo'),
    idDetalleProtocolo: d('idDetalleProtocolo'),
    idItem: d('idItem'),
    idSubItem: d('idSubItem'),
    itemFound: item('i', 'idItem'),
    itemEfector: item('i', 'idEfector'),
    codigo: item('i', 'codigo'),
    codigoNomenclador: item('i', 'codigoNomenclador'),
    itemDescripcion: item('i', 'descripcion'),
    itemOrden: item('i', 'ordenImpresion'),
    itemCategoria: item('i', 'idCategoria'),
    idEfectorDerivacion: item('i', 'idEfectorDerivacion'),
    areaOrden: `a.${schema.column('LAB_Area', 'ordenImpresion')}`,
    areaNombre: `a.${schema.column('LAB_Area', 'nombre')}`,
    subFound: item('s', 'idItem'),
    subCodigo: item('s', 'codigo'),
    subDescripcion: item('s', 'descripcion'),
    subCategoria: item('s', 'idCategoria'),
    subTipoResultado: item('s', 'idTipoResultado'),
    subFormatoDecimal: item('s', 'formatoDecimal'),
    derivadoNombre: `der.${schema.column('Sys_Efector', 'nombre')}`,
    resultadoNum: d('resultadoNum'),
    resultadoCar: d('resultadoCar'),
    unidadMedida: d('unidadMedida'),
    metodo: d('metodo'),
    valorReferencia: d('valorReferencia'),
    observaciones: d('observaciones'),
    trajoMuestra: d('trajoMuestra'),
    conResultado: d('conResultado'),
    idUsuarioValida: d('idUsuarioValida'),
    firmaValida: `uv.${schema.column('Sys_Usuario', 'firmaValidacion')}`,
    idUsuarioValidaObservacion: d('idUsuarioValidaObservacion'),
    firmaObservacion: `uo.${schema.column('Sys_Usuario', 'firmaValidacion')}`,
    hiv: `p.${schema.column('LAB_Protocolo', 'hiv')}`,
  })
  const user = (alias: string) => `${alias}.${schema.column('Sys_Usuario', 'idUsuario')}`
  const query = source.db
    .selectFrom(`${schema.table('LAB_DetalleProtocolo')} as d`)
    .innerJoin(
      `${schema.table('LAB_Protocolo')} as p`,
      `p.${schema.column('LAB_Protocolo', 'idProtocolo')}`,
      d('idProtocolo'),
    )
    .leftJoin(`${schema.table('LAB_Item')} as i`, item('i', 'idItem'), d('idItem'))
    // A NULL or 0 idSubItem means the item is its own sub-item, as in the SIL's simple items.
    .leftJoin(`${schema.table('LAB_Item')} as s`, (join) =>
      join.on((eb) =>
        eb(
          eb.ref(item('s', 'idItem')),
          '=',
          eb.fn.coalesce(eb.fn('nullif', [eb.ref(d('idSubItem')), eb.lit(0)]), eb.ref(d('idItem'))),
        ),
      ),
    )
    .leftJoin(`${schema.table('LAB_Area')} as a`, `a.${schema.column('LAB_Area', 'idArea')}`, item('i', 'idArea'))
    .leftJoin(
      `${schema.table('Sys_Efector')} as der`,
      `der.${schema.column('Sys_Efector', 'idEfector')}`,
      item('i', 'idEfectorDerivacion'),
    )
    .leftJoin(`${schema.table('Sys_Usuario')} as uv`, user('uv'), d('idUsuarioValida'))
    .leftJoin(`${schema.table('Sys_Usuario')} as uo`, user('uo'), d('idUsuarioValidaObservacion'))
    .select(selections)
    .where(d('idProtocolo'), 'in', exportedProtocolIds(source, schema, { ...options, activeOnly: true }))
    .where((eb) => eb.or([eb(d('idUsuarioValida'), '>', 0), eb(d('idUsuarioValidaObservacion'), '>', 0)]))
    .orderBy(d('idProtocolo'))
    .orderBy(d('idDetalleProtocolo'))

  for await (const batch of streamRecords(source, query, aliases)) {
    yield batch.map((record) => itemValues(record, options.idEfector))
  }
}

/** One validated SIL result item as a staging detail, by column name. */
export function itemValues(record: Record<string, unknown>, idEfector: number): Record<string, unknown> {
  const key = { idProtocolo: record.idProtocolo, idDetalleProtocolo: record.idDetalleProtocolo }
  const fail = (column: string, problem: string) =>
    silDataError(idEfector, 'LAB_DetalleProtocolo', key, column, problem)
  if (record.itemFound === null) throw fail('idItem', 'the item does not exist in LAB_Item')
  if (record.subFound === null) throw fail('idSubItem', 'the sub-item does not exist in LAB_Item')

  const derivationId = idValue(record.idEfectorDerivacion)
  const derived = derivationId !== null && derivationId !== idValue(record.itemEfector)
  const derivedName = derived ? record.derivadoNombre : ''
  const subIsTitle = idValue(record.subCategoria) === TITLE_CATEGORY
  const itemIsTitle = idValue(record.itemCategoria) === TITLE_CATEGORY
  const validatedItself = isUserSet(record.idUsuarioValida)

  return {
    idProtocolo: record.idProtocolo,
    idEfector,
    idDetalleProtocolo: record.idDetalleProtocolo,
    codigoNomenclador: record.codigoNomenclador,
    codigo: record.codigo,
    ordenArea: record.areaOrden,
    orden: record.itemOrden,
    area: record.areaNombre,
    grupo: record.itemDescripcion,
    item: subIsTitle || itemIsTitle ? record.subDescripcion : record.itemDescripcion,
    observaciones: record.observaciones,
    esTitulo: subIsTitle ? 'Si' : 'No',
    derivado: derivedName,
    unidad: record.unidadMedida,
    // The detail's hiv flag is its protocol's (the design left it unsaid, see docs/EXPORT.md; the central side filters HIV results per detail).
    hiv: bitValue(record.hiv),
    metodo: record.metodo,
    valorReferencia: record.valorReferencia,
    orden1: record.idDetalleProtocolo,
    muestra: record.trajoMuestra,
    conresultado: sampleMissing(record.trajoMuestra) || derived ? 1 : record.conResultado,
    resultado: derived ? (derivedName === null ? null : `Derivado ${String(derivedName)}`) : resultText(record, fail),
    codigo2: record.subCodigo,
    profesional_val: validatedItself ? record.firmaValida : record.firmaObservacion,
  }
}

function resultText(record: Record<string, unknown>, fail: (column: string, problem: string) => Error): unknown {
  if (idValue(record.subTipoResultado) !== NUMERIC_RESULT) return record.resultadoCar
  const value = record.resultadoNum
  if (value === null || value === undefined) return null
  const places = idValue(record.subFormatoDecimal)
  if (places === null || !Number.isInteger(places) || places < 0 || places > MAX_DECIMALS) {
    throw fail('formatoDecimal', `the sub-item's formatoDecimal must be 0 to ${MAX_DECIMALS}`)
  }
  const text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
      ? formatDecimal(value, places)
      : undefined
  if (text === undefined) throw fail('resultadoNum', 'not a decimal number')
  return text
}

async function* isolateRecords(
  source: Session,
  schema: SilSchema,
  options: DetailPassOptions,
): AsyncIterable<Record<string, unknown>[]> {
  const g = (column: string) => `g.${schema.column('LAB_ProtocoloGermen', column)}`
  const { aliases, selections } = selectList({
    idProtocolo: g('idProtocolo'),
    idProtocoloGermen: g('idProtocoloGermen'),
    itemFound: `i.${schema.column('LAB_Item', 'idItem')}`,
    itemDescripcion: `i.${schema.column('LAB_Item', 'descripcion')}`,
    germFound: `ge.${schema.column('LAB_Germen', 'idGermen')}`,
    germen: `ge.${schema.column('LAB_Germen', 'nombre')}`,
    hiv: `p.${schema.column('LAB_Protocolo', 'hiv')}`,
  })
  const query = source.db
    .selectFrom(`${schema.table('LAB_ProtocoloGermen')} as g`)
    .innerJoin(
      `${schema.table('LAB_Protocolo')} as p`,
      `p.${schema.column('LAB_Protocolo', 'idProtocolo')}`,
      g('idProtocolo'),
    )
    .leftJoin(`${schema.table('LAB_Item')} as i`, `i.${schema.column('LAB_Item', 'idItem')}`, g('idItem'))
    .leftJoin(`${schema.table('LAB_Germen')} as ge`, `ge.${schema.column('LAB_Germen', 'idGermen')}`, g('idGermen'))
    .select(selections)
    .where(g('idProtocolo'), 'in', exportedProtocolIds(source, schema, { ...options, activeOnly: true }))
    .orderBy(g('idProtocolo'))
    .orderBy(g('idProtocoloGermen'))

  for await (const batch of streamRecords(source, query, aliases)) {
    yield batch.map((record) => {
      const key = { idProtocolo: record.idProtocolo, idProtocoloGermen: record.idProtocoloGermen }
      if (record.itemFound === null) {
        throw silDataError(
          options.idEfector,
          'LAB_ProtocoloGermen',
          key,
          'idItem',
          'the item does not exist in LAB_Item',
        )
      }
      if (record.germFound === null) {
        throw silDataError(
          options.idEfector,
          'LAB_ProtocoloGermen',
          key,
          'idGermen',
          'the germ does not exist in LAB_Germen',
        )
      }
      return {
        ...closingRowDefaults(record, options.idEfector, -Number(record.idProtocoloGermen)),
        grupo: record.itemDescripcion,
        item: 'Aislamiento',
        resultado: record.germen,
      }
    })
  }
}

async function* antibiogramRecords(
  source: Session,
  schema: SilSchema,
  options: DetailPassOptions,
): AsyncIterable<Record<string, unknown>[]> {
  const a = (column: string) => `ab.${schema.column('LAB_Antibiograma', column)}`
  const { aliases, selections } = selectList({
    idProtocolo: a('idProtocolo'),
    idAntibiograma: a('idAntibiograma'),
    germFound: `ge.${schema.column('LAB_Germen', 'idGermen')}`,
    germen: `ge.${schema.column('LAB_Germen', 'nombre')}`,
    antibiotico: a('antibiotico'),
    resultado: a('resultado'),
    metodologia: a('metodologia'),
    firma: `u.${schema.column('Sys_Usuario', 'firmaValidacion')}`,
    hiv: `p.${schema.column('LAB_Protocolo', 'hiv')}`,
  })
  const query = source.db
    .selectFrom(`${schema.table('LAB_Antibiograma')} as ab`)
    .innerJoin(
      `${schema.table('LAB_Protocolo')} as p`,
      `p.${schema.column('LAB_Protocolo', 'idProtocolo')}`,
      a('idProtocolo'),
    )
    .leftJoin(`${schema.table('LAB_Germen')} as ge`, `ge.${schema.column('LAB_Germen', 'idGermen')}`, a('idGermen'))
    .leftJoin(
      `${schema.table('Sys_Usuario')} as u`,
      `u.${schema.column('Sys_Usuario', 'idUsuario')}`,
      a('idUsuarioValida'),
    )
    .select(selections)
    .where(a('idProtocolo'), 'in', exportedProtocolIds(source, schema, { ...options, activeOnly: true }))
    // Only validated antibiograms, as only validated items are exported.
    .where(a('idUsuarioValida'), '>', 0)
    .orderBy(a('idProtocolo'))
    .orderBy(a('idAntibiograma'))

  for await (const batch of streamRecords(source, query, aliases)) {
    yield batch.map((record) => {
      if (record.germFound === null) {
        const key = { idProtocolo: record.idProtocolo, idAntibiograma: record.idAntibiograma }
        throw silDataError(
          options.idEfector,
          'LAB_Antibiograma',
          key,
          'idGermen',
          'the germ does not exist in LAB_Germen',
        )
      }
      const { antibiotico, resultado } = record
      return {
        ...closingRowDefaults(record, options.idEfector, -Number(record.idAntibiograma)),
        item: `ATB ${String(record.germen)}`,
        // NULL when either part is, as SQL's string concatenation gives.
        resultado: antibiotico === null || resultado === null ? null : `${String(antibiotico)}: ${String(resultado)}`,
        metodo: record.metodologia,
        profesional_val: record.firma,
      }
    })
  }
}

/**
 * The shared shape of isolate and antibiogram rows: order fields 9999,
 * conresultado 1, empty strings elsewhere (docs/EXPORT.md). Antibiograms have no
 * item, so their grupo stays empty too.
 */
function closingRowDefaults(
  record: Record<string, unknown>,
  idEfector: number,
  idDetalleProtocolo: number,
): Record<string, unknown> {
  return {
    idProtocolo: record.idProtocolo,
    idEfector,
    idDetalleProtocolo,
    codigoNomenclador: '',
    codigo: '',
    ordenArea: LAST_ORDER,
    orden: LAST_ORDER,
    area: '',
    grupo: '',
    item: '',
    observaciones: '',
    esTitulo: '',
    derivado: '',
    unidad: '',
    hiv: bitValue(record.hiv),
    metodo: '',
    valorReferencia: '',
    orden1: LAST_ORDER,
    muestra: '',
    conresultado: 1,
    resultado: '',
    codigo2: '',
    profesional_val: '',
  }
}
