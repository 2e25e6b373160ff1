/**
 * Invented but realistic staging rows for the demo: patients with Spanish
 * names (accents and ñ), DNI numbers, and protocols of common tests with
 * units, methods, reference values, numeric and text results, titles,
 * derived items, items without a sample, cultures with isolates and
 * antibiograms, and annulled protocols. Seeded, so every run is the same.
 */

export type Values = Record<string, unknown>

export interface DemoProtocol {
  header: Values
  details: Values[]
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same demo. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]

const SURNAMES = ['González', 'Rodríguez', 'Gómez', 'Fernández', 'López', 'Díaz', 'Martínez', 'Pérez', 'Núñez', 'Peña',
  'Ibáñez', 'Muñoz', 'Benítez', 'Acuña', 'Sánchez', 'Romero', 'Sosa', 'Álvarez', 'Ruiz Díaz', 'Giménez', 'Cáceres', 'Ojeda']
const FEMALE = ['María José', 'Lucía', 'Sofía', 'Ana Belén', 'Florencia', 'Micaela', 'Noelia', 'Rocío', 'Inés', 'Begoña']
const MALE = ['José Luis', 'Martín', 'Joaquín', 'Nicolás', 'Matías', 'Ramón', 'Andrés', 'Iñaki', 'Julián', 'Sebastián']
const STREETS = ['Av. San Martín', 'Belgrano', 'Junín', 'Pellegrini', 'Av. Independencia', 'La Rioja', 'Cangallo', 'Tucumán']
const ORIGINS = ['Ambulatorio', 'Internación', 'Guardia']
const PRIORITIES = ['Rutina', 'Urgencia']
const SECTORS = ['Consultorio externo', 'Clínica médica', 'Pediatría', 'Maternidad', 'Guardia central']
const DOCTORS = ['DRA. PEÑA', 'DR. ACUÑA', 'DRA. NÚÑEZ', 'DR. IBÁÑEZ', 'DRA. GÓMEZ']
const VALIDATORS = ['Bioq. Laura Sánchez MP 1234', 'Bioq. Tomás Benítez MP 2210', 'Bioq. Marta Ojeda MP 3120']

interface CatalogItem {
  area: string
  ordenArea: number
  grupo: string
  item: string
  codigo: string
  nomenclador: string | null
  unidad: string
  metodo: string
  referencia: string
  /** numeric: [low, high, decimals]; text: the possible results */
  result: [number, number, number] | string[]
  title?: boolean
}

const CATALOG: CatalogItem[] = [
  { area: 'Hematología', ordenArea: 1, grupo: 'Hemograma', item: 'Hemograma', codigo: 'HEMO', nomenclador: '475', unidad: '', metodo: '', referencia: '', result: [''], title: true },
  { area: 'Hematología', ordenArea: 1, grupo: 'Hemograma', item: 'Glóbulos rojos', codigo: 'GR', nomenclador: '475', unidad: 'x10^6/µL', metodo: 'Impedancia', referencia: '4,20 - 5,40', result: [3.8, 5.9, 2] },
  { area: 'Hematología', ordenArea: 1, grupo: 'Hemograma', item: 'Hemoglobina', codigo: 'HB', nomenclador: '475', unidad: 'g/dL', metodo: 'Colorimétrico', referencia: '12,0 - 16,0', result: [9.5, 17.2, 1] },
  { area: 'Hematología', ordenArea: 1, grupo: 'Hemograma', item: 'Hematocrito', codigo: 'HTO', nomenclador: '475', unidad: '%', metodo: 'Cálculo', referencia: '36 - 46', result: [30, 52, 0] },
  { area: 'Hematología', ordenArea: 1, grupo: 'Hemograma', item: 'Glóbulos blancos', codigo: 'GB', nomenclador: '475', unidad: '/mm³', metodo: 'Impedancia', referencia: '4000 - 10000', result: [3500, 16000, 0] },
  { area: 'Hematología', ordenArea: 1, grupo: 'Hemograma', item: 'Plaquetas', codigo: 'PLA', nomenclador: '475', unidad: '/mm³', metodo: 'Impedancia', referencia: '150000 - 450000', result: [90000, 480000, 0] },
  { area: 'Química', ordenArea: 2, grupo: 'Glucemia', item: 'Glucemia', codigo: 'GLU', nomenclador: '412', unidad: 'mg/dL', metodo: 'Enzimático (GOD-PAP)', referencia: '70 - 110', result: [62, 240, 0] },
  { area: 'Química', ordenArea: 2, grupo: 'Urea', item: 'Urea', codigo: 'URE', nomenclador: '902', unidad: 'mg/dL', metodo: 'Ureasa UV', referencia: '15 - 45', result: [12, 95, 0] },
  { area: 'Química', ordenArea: 2, grupo: 'Creatinina', item: 'Creatinina', codigo: 'CRE', nomenclador: '192', unidad: 'mg/dL', metodo: 'Jaffé cinético', referencia: '0,60 - 1,20', result: [0.45, 3.2, 2] },
  { area: 'Química', ordenArea: 2, grupo: 'Perfil lipídico', item: 'Colesterol total', codigo: 'COL', nomenclador: '171', unidad: 'mg/dL', metodo: 'Enzimático', referencia: 'Deseable < 200', result: [130, 290, 0] },
  { area: 'Química', ordenArea: 2, grupo: 'Perfil lipídico', item: 'Colesterol HDL', codigo: 'HDL', nomenclador: '172', unidad: 'mg/dL', metodo: 'Directo', referencia: '> 40', result: [28, 85, 0] },
  { area: 'Química', ordenArea: 2, grupo: 'Perfil lipídico', item: 'Triglicéridos', codigo: 'TG', nomenclador: '878', unidad: 'mg/dL', metodo: 'Enzimático', referencia: '< 150', result: [55, 420, 0] },
  { area: 'Orina', ordenArea: 3, grupo: 'Orina completa', item: 'Color', codigo: 'OCOL', nomenclador: '711', unidad: '', metodo: 'Macroscópico', referencia: 'Amarillo', result: ['Amarillo', 'Amarillo claro', 'Ámbar'] },
  { area: 'Orina', ordenArea: 3, grupo: 'Orina completa', item: 'Aspecto', codigo: 'OASP', nomenclador: '711', unidad: '', metodo: 'Macroscópico', referencia: 'Límpido', result: ['Límpido', 'Ligeramente turbio', 'Turbio'] },
  { area: 'Orina', ordenArea: 3, grupo: 'Orina completa', item: 'Densidad', codigo: 'ODEN', nomenclador: '711', unidad: '', metodo: 'Tira reactiva', referencia: '1,005 - 1,030', result: [1.005, 1.03, 3] },
  { area: 'Orina', ordenArea: 3, grupo: 'Orina completa', item: 'Proteínas', codigo: 'OPRO', nomenclador: '711', unidad: '', metodo: 'Tira reactiva', referencia: 'No contiene', result: ['No contiene', 'Trazas', '+'] },
  { area: 'Microbiología', ordenArea: 4, grupo: 'Urocultivo', item: 'Urocultivo', codigo: 'UROC', nomenclador: '1120', unidad: '', metodo: 'Siembra en agar CLDE', referencia: '', result: ['Sin desarrollo bacteriano', 'Desarrollo > 100.000 UFC/mL'] },
]

const DERIVED = { area: 'Química', grupo: 'Vitamina D', item: 'Vitamina D (25-OH)', codigo: 'VITD', derivadoA: 'Laboratorio Central de la Provincia' }
const GERMS = ['Escherichia coli', 'Klebsiella pneumoniae', 'Proteus mirabilis']
const ANTIBIOTICS = ['Ampicilina', 'Ciprofloxacina', 'Nitrofurantoína', 'Trimetoprima-sulfametoxazol', 'Cefalexina']
const SUSCEPTIBILITY = ['Sensible', 'Resistente', 'Intermedio']

const pad = (value: number, width = 2) => String(value).padStart(width, '0')
const ddmmyyyy = (date: Date) => `${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`
const datetime = (date: Date) => date.toISOString().replace('T', ' ').slice(0, 23)

export interface DemoOptions {
  idEfector: number
  nombreEfector: string
  protocols: number
  seed: number
  /** Wall-clock "now" of the demo, as a UTC-fielded Date (no zone is applied to stored values). */
  now: Date
}

/** Generates the protocols of one hospital. */
export function generateProtocols(options: DemoOptions): DemoProtocol[] {
  const random = seededRandom(options.seed * 7919 + options.idEfector)
  const protocols: DemoProtocol[] = []
  let detailId = 1
  for (let index = 1; index <= options.protocols; index++) {
    const female = random() < 0.55
    const birth = new Date(options.now.getTime() - Math.floor(random() * 85 * 365.25 + 20) * 86_400_000)
    const ageDays = Math.floor((options.now.getTime() - birth.getTime()) / 86_400_000)
    const [edad, unidadEdad] = ageDays >= 365 ? [Math.floor(ageDays / 365.25), 'Años'] : ageDays >= 31 ? [Math.floor(ageDays / 30.4), 'Meses'] : [ageDays, 'Dias']
    const taken = new Date(options.now.getTime() - Math.floor(random() * 20 * 86_400_000) - Math.floor(random() * 1000))
    const idProtocolo = 100000 + index
    const pregnant = female && edad >= 18 && edad <= 42 && unidadEdad === 'Años' && random() < 0.1
    const header: Values = {
      idProtocolo,
      idEfector: options.idEfector,
      apellido: `${pick(random, SURNAMES)} ${pick(random, SURNAMES)}`,
      nombre: pick(random, female ? FEMALE : MALE),
      edad,
      unidadEdad,
      fechaNacimiento: ddmmyyyy(birth),
      sexo: female ? 'F' : 'M',
      numeroDocumento: 20_000_000 + Math.floor(random() * 35_000_000),
      fecha: ddmmyyyy(taken),
      fecha1: datetime(taken),
      domicilio: `${pick(random, STREETS)} ${100 + Math.floor(random() * 3900)}`,
      HC: 1000 + Math.floor(random() * 90000),
      prioridad: random() < 0.85 ? PRIORITIES[0] : PRIORITIES[1],
      origen: pick(random, ORIGINS),
      numero: `${taken.getUTCFullYear() % 100}${pad(taken.getUTCMonth() + 1)}-${pad(index, 5)}`,
      hiv: false,
      solicitante: pick(random, DOCTORS),
      sector: pick(random, SECTORS),
      sala: random() < 0.3 ? String(1 + Math.floor(random() * 6)) : '',
      cama: random() < 0.3 ? String(1 + Math.floor(random() * 30)) : '',
      embarazo: pregnant ? 'E' : '',
      EfectorSolicitante: options.nombreEfector,
      idSolicitudScreening: null,
      fechaRecibeScreening: null,
      observacionesResultados: random() < 0.15 ? 'Muestra levemente hemolizada. Se sugiere repetir en ayunas.' : null,
      tipoMuestra: 'Sangre entera / Orina',
      baja: false,
      idLocalidad: 1 + Math.floor(random() * 60),
      idProvincia: 6,
      telefonoFijo: random() < 0.4 ? `0379 44${pad(Math.floor(random() * 10000), 4)}` : null,
      telefonoCelular: random() < 0.8 ? `379 15${pad(Math.floor(random() * 1000000), 6)}` : null,
    }
    const validator = pick(random, VALIDATORS)
    const details: Values[] = []
    const addDetail = (values: Values) => {
      const id = values.idDetalleProtocolo === undefined ? detailId++ : (values.idDetalleProtocolo as number)
      details.push({
        idProtocolo,
        idEfector: options.idEfector,
        idDetalleProtocolo: id,
        codigoNomenclador: null,
        observaciones: '',
        esTitulo: 'No',
        derivado: '',
        unidad: '',
        hiv: false,
        metodo: '',
        valorReferencia: '',
        orden1: id,
        muestra: 'Si',
        conresultado: 1,
        profesional_val: validator,
        ...values,
      })
    }
    const groups = [...new Set(CATALOG.map((item) => item.grupo))].filter(() => random() < 0.45)
    if (groups.length === 0) groups.push('Glucemia')
    for (const item of CATALOG.filter((entry) => groups.includes(entry.grupo))) {
      const noSample = !item.title && random() < 0.03
      addDetail({
        codigoNomenclador: item.nomenclador,
        codigo: item.codigo,
        ordenArea: item.ordenArea,
        orden: CATALOG.indexOf(item) + 1,
        area: item.area,
        grupo: item.grupo,
        item: item.item,
        esTitulo: item.title ? 'Si' : 'No',
        unidad: item.unidad,
        metodo: item.metodo,
        valorReferencia: item.referencia,
        muestra: noSample ? 'No' : 'Si',
        conresultado: noSample || item.title ? 1 : 0,
        resultado: noSample ? 'No trajo muestra' : resultFor(random, item),
        codigo2: item.codigo,
      })
      if (item.codigo === 'UROC' && !noSample && details[details.length - 1].resultado !== 'Sin desarrollo bacteriano') {
        const germ = pick(random, GERMS)
        const isolate = 1000 * index + 1
        addDetail({ idDetalleProtocolo: -isolate, codigo: '', ordenArea: 9999, orden: 9999, area: '', grupo: item.item, item: 'Aislamiento', resultado: germ, codigo2: '', orden1: 9999 })
        ANTIBIOTICS.forEach((antibiotic, offset) =>
          addDetail({
            idDetalleProtocolo: -(isolate + 1 + offset),
            codigo: '',
            ordenArea: 9999,
            orden: 9999,
            area: '',
            grupo: item.item,
            item: `ATB ${germ}`,
            metodo: 'Difusión (Kirby-Bauer)',
            resultado: `${antibiotic}: ${pick(random, SUSCEPTIBILITY)}`,
            codigo2: '',
            orden1: 9999,
          }),
        )
      }
    }
    if (random() < 0.05) {
      addDetail({ codigo: DERIVED.codigo, ordenArea: 2, orden: 50, area: DERIVED.area, grupo: DERIVED.grupo, item: DERIVED.item, derivado: DERIVED.derivadoA, conresultado: 1, resultado: `Derivado ${DERIVED.derivadoA}`, codigo2: DERIVED.codigo })
    }
    protocols.push({ header, details })
  }
  return protocols
}

function resultFor(random: () => number, item: CatalogItem): string | null {
  if (item.title) return null
  if (typeof item.result[0] === 'string') return pick(random, item.result as string[])
  const [low, high, decimals] = item.result as [number, number, number]
  return (low + random() * (high - low)).toFixed(decimals)
}

/**
 * The hospital's second export: some results corrected, some protocols
 * annulled (exported as `baja` = 1 headers without details).
 */
export function secondRound(protocols: DemoProtocol[], seed: number): { protocols: DemoProtocol[]; edited: number; annulled: number } {
  const random = seededRandom(seed * 104729 + 17)
  let edited = 0
  let annulled = 0
  const next = protocols.map((protocol) => {
    const roll = random()
    if (roll < 0.06) {
      annulled += 1
      return { header: { ...protocol.header, baja: true }, details: [] }
    }
    if (roll < 0.2) {
      edited += 1
      const details = protocol.details.map((detail, index) =>
        index === 0 || detail.resultado === null ? detail : { ...detail, resultado: `${detail.resultado} (corregido)`.slice(0, 4000) },
      )
      return { header: { ...protocol.header, observacionesResultados: 'Resultado corregido por el laboratorio.' }, details }
    }
    return protocol
  })
  return { protocols: next, edited, annulled }
}
