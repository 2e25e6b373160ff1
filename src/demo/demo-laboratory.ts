import type { Session } from '../db/session.js'
import {
  ANTIBIOTICS,
  AREAS,
  DERIVATION_LABS,
  GERMS,
  ORIGINS,
  PRACTICES,
  PRIORITIES,
  REQUESTING_CENTRES,
  SAMPLE_TYPES,
  SECTORS,
  SUSCEPTIBILITY,
  SUSCEPTIBILITY_METHODS,
  type DemoItem,
  type DemoPractice,
} from './demo-catalog.js'
import {
  DOCTORS,
  FEMALE_NAMES,
  LOCALITY_IDS,
  MALE_NAMES,
  NEIGHBOURHOODS,
  PROVINCE_ID,
  RESULT_REMARKS,
  STREETS,
  SURNAMES,
  VALIDATORS,
} from './demo-people.js'
import { between, chance, pick, seededRandom, type Random } from './demo-random.js'

/**
 * Generates one hospital's laboratory database (the SIL tables of
 * docs/EXPORT.md): patients, the catalogue, protocols taken over the last weeks
 * with their results, isolates and antibiograms. Everything derives from
 * the seed, the hospital id and `today`, so the same options give the same
 * data (dates move with the day the demo runs).
 */
export interface DemoLaboratoryOptions {
  idEfector: number
  nombreEfector: string
  patients: number
  protocols: number
  seed: number
  /** The SIL clock's date, 'YYYY-MM-DD' (local wall-clock, like every datetime of the demo). */
  today: string
  /** Protocols are taken over this many days before today. */
  spanDays: number
}

export type Rows = Record<string, unknown>[]
export type DemoLaboratory = Record<string, Rows>

/** A protocol the generator made, with what the demo needs to know about it later. */
export interface DemoProtocolFacts {
  idProtocolo: number
  /** Days before today of its latest validation (null when nothing was validated). */
  lastValidationDaysAgo: number | null
  /** Taken by the export: idTipoServicio < 4, patient not excluded, not annulled. */
  exportable: boolean
  /** Validated numeric results, which round 2 may correct. */
  numericDetails: number[]
}

export interface GeneratedLaboratory {
  tables: DemoLaboratory
  protocols: DemoProtocolFacts[]
}

const DAY = 86_400_000
const pad = (value: number, width = 2) => String(value).padStart(width, '0')
const EXCLUDED_STATE = 2

/** 'YYYY-MM-DD HH:MM:SS.SSS' of a UTC-fielded Date (the fields are the wall-clock time; no zone is applied). */
export const wallClock = (date: Date): string => date.toISOString().replace('T', ' ').slice(0, 23)

export function generateLaboratory(options: DemoLaboratoryOptions): GeneratedLaboratory {
  const random = seededRandom(options.seed * 7919 + options.idEfector)
  const midnight = new Date(`${options.today}T00:00:00.000Z`).getTime()
  const { items, itemRows } = catalogueRows(options.idEfector)
  const patients = patientRows(random, options, midnight)

  const tables: DemoLaboratory = {
    Sys_Efector: [
      { idEfector: options.idEfector, nombre: options.nombreEfector },
      ...DERIVATION_LABS.map((lab) => ({ ...lab })),
      ...REQUESTING_CENTRES.map((centre) => ({ ...centre })),
    ],
    Sys_Usuario: VALIDATORS.map((user) => ({ ...user })),
    LAB_Origen: ORIGINS.map((row) => ({ ...row })),
    LAB_Prioridad: PRIORITIES.map((row) => ({ ...row })),
    LAB_Muestra: SAMPLE_TYPES.map((row) => ({ ...row })),
    LAB_SectorServicio: SECTORS.map(({ idSectorServicio, nombre }) => ({ idSectorServicio, nombre })),
    LAB_Area: AREAS.map((row) => ({ ...row })),
    LAB_Item: itemRows,
    LAB_Germen: GERMS.map((row) => ({ ...row })),
    Sys_Paciente: patients.map((patient) => patient.row),
    LAB_Protocolo: [],
    LAB_DetalleProtocolo: [],
    LAB_ProtocoloGermen: [],
    LAB_Antibiograma: [],
  }

  const facts: DemoProtocolFacts[] = []
  const counters = { detail: 1, isolate: 1, antibiogram: 1 }
  for (let index = 0; index < options.protocols; index++) {
    const idProtocolo = options.idEfector * 100_000 + index + 1
    const patient = pick(random, patients)
    const taken = new Date(
      midnight -
        between(random, 0, options.spanDays) * DAY +
        between(random, 6 * 60, 11 * 60) * 60_000 +
        between(random, 0, 59_999),
    )
    const protocol = protocolRow(random, options, idProtocolo, index, patient, taken)
    const practices = PRACTICES.filter((practice) => chance(random, practice.frequency))
    if (practices.length === 0) practices.push(PRACTICES.find((practice) => practice.codigo === 'GLU')!)
    protocol.idMuestra = sampleType(random, practices)

    const result = resultRows(random, {
      idProtocolo,
      idEfector: options.idEfector,
      taken,
      midnight,
      practices,
      items,
      counters,
    })
    tables.LAB_Protocolo.push(protocol)
    tables.LAB_DetalleProtocolo.push(...result.details)
    tables.LAB_ProtocoloGermen.push(...result.isolates)
    tables.LAB_Antibiograma.push(...result.antibiograms)
    facts.push({
      idProtocolo,
      lastValidationDaysAgo:
        result.lastValidation === null ? null : Math.floor((midnight - startOfDay(result.lastValidation)) / DAY),
      exportable:
        (protocol.idTipoServicio as number) < 4 && patient.row.idEstado !== EXCLUDED_STATE && protocol.baja === false,
      numericDetails: result.numericDetails,
    })
  }
  return { tables, protocols: facts }
}

/** The protocol's main sample: urine when only urine is asked for, blood otherwise; some SILs leave it unset. */
function sampleType(random: Random, practices: readonly DemoPractice[]): number | null {
  if (chance(random, 0.15)) return null
  if (practices.every((practice) => practice.codigo === 'UROC')) return 4
  if (practices.every((practice) => practice.idArea === 3 || practice.codigo === 'UROC')) return 3
  return practices.every((practice) => practice.idArea === 2 || practice.idArea === 5) ? 2 : 1
}

const startOfDay = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())

interface CatalogueItem {
  idItem: number
  practice: DemoPractice
  item: DemoItem
}

/** LAB_Item rows: each practice, then its sub-items; ids are stable across runs. */
function catalogueRows(idEfector: number): { items: Map<string, CatalogueItem>; itemRows: Rows } {
  const items = new Map<string, CatalogueItem>()
  const itemRows: Rows = []
  let nextId = 1000
  const add = (practice: DemoPractice, item: DemoItem, order: number, derived: boolean) => {
    const idItem = nextId++
    items.set(item.codigo, { idItem, practice, item })
    itemRows.push({
      idItem,
      idEfector,
      codigo: item.codigo,
      codigoNomenclador: practice.nomenclador,
      descripcion: item.descripcion,
      idArea: practice.idArea,
      ordenImpresion: order,
      idCategoria: item.result.kind === 'title' ? 1 : 0,
      idTipoResultado: item.result.kind === 'numeric' ? 1 : 2,
      formatoDecimal: item.result.kind === 'numeric' ? item.result.decimals : 0,
      idEfectorDerivacion: derived ? practice.derivedTo : idEfector,
    })
  }
  PRACTICES.forEach((practice, practiceIndex) => {
    add(practice, practice, (practiceIndex + 1) * 100, practice.derivedTo !== undefined)
    practice.parts?.forEach((partItem, partIndex) =>
      add(practice, partItem, (practiceIndex + 1) * 100 + partIndex + 1, false),
    )
  })
  return { items, itemRows }
}

interface DemoPatient {
  row: Record<string, unknown>
  female: boolean
  birth: Date
}

function patientRows(random: Random, options: DemoLaboratoryOptions, midnight: number): DemoPatient[] {
  const patients: DemoPatient[] = []
  for (let index = 0; index < options.patients; index++) {
    const female = chance(random, 0.56)
    // Mostly adults, some children, a few babies of a few days or months.
    const ageDays = chance(random, 0.04)
      ? between(random, 2, 330)
      : chance(random, 0.12)
        ? between(random, 365, 14 * 365)
        : between(random, 15 * 365, 92 * 365)
    const birth = new Date(midnight - ageDays * DAY)
    // DNI numbers grow with the year of birth: about 6 million in 1950, 35 million in 1990, 58 million today.
    const year = birth.getUTCFullYear() + birth.getUTCMonth() / 12
    const dni =
      Math.round(Math.max(3, Math.min(60, 6 + (year - 1950) * 0.72)) * 1_000_000) + between(random, 0, 699_999)
    const excluded = chance(random, 0.015)
    patients.push({
      female,
      birth,
      row: {
        idPaciente: options.idEfector * 10_000 + index + 1,
        apellido: chance(random, 0.25) ? `${pick(random, SURNAMES)} ${pick(random, SURNAMES)}` : pick(random, SURNAMES),
        nombre: pick(random, female ? FEMALE_NAMES : MALE_NAMES),
        numeroDocumento: dni,
        fechaNacimiento: wallClock(birth).slice(0, 10) + ' 00:00:00.000',
        referencia: chance(random, 0.2)
          ? `${pick(random, NEIGHBOURHOODS)}, Mz. ${between(random, 1, 40)} Casa ${between(random, 1, 30)}`
          : `${pick(random, STREETS)} ${between(random, 100, 3999)}`,
        historiaClinica: between(random, 1000, 250_000),
        // State 2 is a patient record that must not leave the hospital (merged or withdrawn).
        idEstado: excluded ? EXCLUDED_STATE : 1,
        idLocalidad: pick(random, LOCALITY_IDS),
        idProvincia: PROVINCE_ID,
        telefonoFijo: chance(random, 0.35) ? `0379 44${pad(between(random, 0, 99_999), 5)}` : null,
        telefonoCelular: chance(random, 0.85) ? `379 15${pad(between(random, 0, 999_999), 6)}` : null,
      },
    })
  }
  return patients
}

function protocolRow(
  random: Random,
  options: DemoLaboratoryOptions,
  idProtocolo: number,
  index: number,
  patient: DemoPatient,
  taken: Date,
): Record<string, unknown> {
  const ageDays = Math.floor((taken.getTime() - patient.birth.getTime()) / DAY)
  const [edad, unidadEdad] =
    ageDays >= 365
      ? [Math.floor(ageDays / 365.25), 0]
      : ageDays >= 30
        ? [Math.floor(ageDays / 30.44), 1]
        : [Math.max(ageDays, 0), 2]
  const origin = pick(random, ORIGINS)
  const sector =
    origin.idOrigen === 3
      ? SECTORS[5]
      : origin.idOrigen === 1
        ? SECTORS[0]
        : pick(
            random,
            SECTORS.filter((entry) => entry.inpatient),
          )
  const pregnant = patient.female && unidadEdad === 0 && edad >= 16 && edad <= 44 && chance(random, 0.12)
  const annulled = chance(random, 0.02)
  return {
    idProtocolo,
    idEfector: options.idEfector,
    idPaciente: patient.row.idPaciente,
    numero: `${taken.getUTCFullYear() % 100}${pad(taken.getUTCMonth() + 1)}-${pad(index + 1, 5)}`,
    fecha: wallClock(taken),
    edad,
    unidadEdad,
    sexo: patient.female ? 'F' : 'M',
    idOrigen: origin.idOrigen,
    idPrioridad: origin.idOrigen === 3 || chance(random, 0.08) ? 2 : 1,
    idSector: pregnant && sector.inpatient ? 5 : sector.idSectorServicio,
    sala: sector.inpatient ? `Sala ${between(random, 1, 8)}` : '',
    cama: sector.inpatient ? String(between(random, 1, 32)) : '',
    idEfectorSolicitante: chance(random, 0.2) ? pick(random, REQUESTING_CENTRES).idEfector : options.idEfector,
    idMuestra: null,
    observacionesResultados: chance(random, 0.12) ? pick(random, RESULT_REMARKS) : null,
    baja: annulled,
    // 1 to 3: the laboratory's own services; 4 and above (screening, blood bank) are not exported.
    idTipoServicio: chance(random, 0.03) ? between(random, 4, 5) : chance(random, 0.85) ? 1 : between(random, 2, 3),
    solicitante: pick(random, DOCTORS),
    embarazada: pregnant,
    hiv: chance(random, 0.01),
  }
}

interface ResultOptions {
  idProtocolo: number
  idEfector: number
  taken: Date
  midnight: number
  practices: DemoPractice[]
  items: Map<string, CatalogueItem>
  counters: { detail: number; isolate: number; antibiogram: number }
}

function resultRows(random: Random, options: ResultOptions) {
  const details: Rows = []
  const isolates: Rows = []
  const antibiograms: Rows = []
  const numericDetails: number[] = []
  let lastValidation: Date | null = null
  const now = options.midnight + DAY - 1
  const validator = pick(random, VALIDATORS).idUsuario
  // Results are validated that afternoon or within two days, never after now; recent ones may still be pending.
  const validatedAt = () => {
    const at = new Date(
      Math.min(
        options.taken.getTime() + between(random, 3 * 60, 52 * 60) * 60_000,
        now - between(random, 0, 3_600_000),
      ),
    )
    return at.getTime() < options.taken.getTime() ? options.taken : at
  }

  for (const practice of options.practices) {
    const practiceItem = options.items.get(practice.codigo)!
    const noSample = chance(random, 0.03)
    const pending = options.midnight - options.taken.getTime() < 2 * DAY && chance(random, 0.25)
    const observationOnly = !pending && chance(random, 0.02)
    const when = validatedAt()
    const rowsOfPractice = practice.parts ? [practice, ...practice.parts] : [practice]
    for (const entry of rowsOfPractice) {
      const sub = options.items.get(entry.codigo)!
      const idDetalleProtocolo = options.idEfector * 1_000_000 + options.counters.detail++
      const validated = !pending && !observationOnly
      const row: Record<string, unknown> = {
        idDetalleProtocolo,
        idProtocolo: options.idProtocolo,
        idEfector: options.idEfector,
        idItem: practiceItem.idItem,
        idSubItem: sub.idItem,
        resultadoNum: null,
        resultadoCar: '',
        unidadMedida: entry.unidad,
        metodo: entry.metodo,
        valorReferencia: entry.valorReferencia,
        observaciones: '',
        trajoMuestra: noSample ? 'No' : 'Si',
        conResultado: entry.result.kind === 'title' ? 0 : 1,
        idUsuarioValida: validated ? validator : 0,
        fechaValida: validated ? wallClock(when) : null,
        idUsuarioValidaObservacion: 0,
        fechaValidaObservacion: null,
      }
      if (observationOnly) {
        Object.assign(row, {
          observaciones: 'Muestra insuficiente: se solicita nueva extracción.',
          conResultado: 0,
          idUsuarioValidaObservacion: validator,
          fechaValidaObservacion: wallClock(when),
        })
      } else if (noSample) {
        row.observaciones = 'No trajo muestra'
        row.conResultado = 0
      } else if (entry.result.kind === 'numeric') {
        const { low, high, decimals } = entry.result
        // The analyser reports more decimals than the item prints: the export rounds them.
        row.resultadoNum = (low + random() * (high - low)).toFixed(decimals + 2)
        if (validated) numericDetails.push(idDetalleProtocolo)
      } else if (entry.result.kind === 'text') {
        row.resultadoCar = pick(random, entry.result.values)
      }
      details.push(row)
      if (!pending && (lastValidation === null || when > lastValidation)) lastValidation = when

      const positiveCulture =
        (entry.codigo === 'UROC' || entry.codigo === 'HEMC') &&
        !noSample &&
        !pending &&
        row.resultadoCar !== '' &&
        !/^(Sin|Negativo)/.test(String(row.resultadoCar))
      if (positiveCulture) {
        const germs = chance(random, 0.15) ? [pick(random, GERMS), pick(random, GERMS)] : [pick(random, GERMS)]
        germs.forEach((germ, isolateIndex) => {
          isolates.push({
            idProtocoloGermen: options.idEfector * 100_000 + options.counters.isolate++,
            idProtocolo: options.idProtocolo,
            idItem: practiceItem.idItem,
            idGermen: germ.idGermen,
          })
          const method = pick(random, SUSCEPTIBILITY_METHODS)
          for (const antibiotic of ANTIBIOTICS.filter(() => chance(random, 0.7))) {
            antibiograms.push({
              // Far from the isolates' ids, so that their negative staging ids never meet.
              idAntibiograma: options.idEfector * 100_000 + 50_000 + options.counters.antibiogram++,
              idProtocolo: options.idProtocolo,
              idGermen: germ.idGermen,
              numeroAislamiento: isolateIndex + 1,
              antibiotico: antibiotic,
              resultado: pick(random, SUSCEPTIBILITY),
              metodologia: method,
              idUsuarioValida: chance(random, 0.95) ? validator : 0,
            })
          }
        })
      }
    }
  }
  return { details, isolates, antibiograms, numericDetails, lastValidation }
}

/** Writes the generated tables, in batches, in one transaction. */
export async function writeLaboratory(session: Session, tables: DemoLaboratory): Promise<void> {
  await session.transaction(async () => {
    for (const [table, rows] of Object.entries(tables)) {
      for (let start = 0; start < rows.length; start += 500) {
        await session.db
          .insertInto(table)
          .values(rows.slice(start, start + 500))
          .execute()
      }
    }
  })
}
