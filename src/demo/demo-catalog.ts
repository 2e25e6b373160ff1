/**
 * The demo laboratory's catalogue: areas, practices and their sub-items
 * (with units, methods and reference values), germs and antibiotics, and
 * the lookup tables of a SIL. Invented, in the style of a public hospital
 * laboratory of Argentina; `nomenclador` codes are of the same invention.
 */

export const AREAS = [
  { idArea: 1, nombre: 'Hematología', ordenImpresion: 1 },
  { idArea: 2, nombre: 'Química clínica', ordenImpresion: 2 },
  { idArea: 3, nombre: 'Orina', ordenImpresion: 3 },
  { idArea: 4, nombre: 'Microbiología', ordenImpresion: 4 },
  { idArea: 5, nombre: 'Endocrinología', ordenImpresion: 5 },
] as const

/** A result item: numeric (with decimals and a plausible range), a text with its possible values, or a title. */
export type DemoResult =
  | { kind: 'numeric'; decimals: number; low: number; high: number }
  | { kind: 'text'; values: readonly string[] }
  | { kind: 'title' }

export interface DemoItem {
  codigo: string
  descripcion: string
  unidad: string
  metodo: string
  valorReferencia: string
  result: DemoResult
}

/** A practice as it is requested: a simple item (its own sub-item) or a title with sub-items. */
export interface DemoPractice extends DemoItem {
  idArea: number
  nomenclador: string
  /** Sub-items of a title practice, in print order (titles among them head a sub-group). */
  parts?: readonly DemoItem[]
  /** Derived to another laboratory (an idEfector of DERIVATION_LABS). */
  derivedTo?: number
  /** How often a protocol asks for it. */
  frequency: number
}

const numeric = (decimals: number, low: number, high: number): DemoResult => ({ kind: 'numeric', decimals, low, high })
const textResult = (...values: string[]): DemoResult => ({ kind: 'text', values })
const title: DemoResult = { kind: 'title' }
const part = (
  codigo: string,
  descripcion: string,
  unidad: string,
  metodo: string,
  valorReferencia: string,
  result: DemoResult,
): DemoItem => ({
  codigo,
  descripcion,
  unidad,
  metodo,
  valorReferencia,
  result,
})

export const PRACTICES: readonly DemoPractice[] = [
  {
    ...part('HEMO', 'Hemograma', '', '', '', title),
    idArea: 1,
    nomenclador: '475',
    frequency: 0.6,
    parts: [
      part('SROJ', 'Serie roja', '', '', '', title),
      part('GR', 'Glóbulos rojos', 'x10⁶/µL', 'Impedancia', '4,20 - 5,40', numeric(2, 3.6, 6.1)),
      part('HB', 'Hemoglobina', 'g/dL', 'Cianmetahemoglobina', '12,0 - 16,0', numeric(1, 8.5, 17.8)),
      part('HTO', 'Hematocrito', '%', 'Cálculo', '36 - 46', numeric(0, 28, 53)),
      part('VCM', 'Volumen corpuscular medio', 'fL', 'Cálculo', '80 - 96', numeric(1, 72, 104)),
      part('SBLA', 'Serie blanca', '', '', '', title),
      part('GB', 'Glóbulos blancos', '/mm³', 'Impedancia', '4.000 - 10.000', numeric(0, 3200, 18500)),
      part('NEU', 'Neutrófilos segmentados', '%', 'Recuento diferencial', '50 - 70', numeric(0, 35, 88)),
      part('LIN', 'Linfocitos', '%', 'Recuento diferencial', '20 - 40', numeric(0, 8, 52)),
      part('PLA', 'Plaquetas', '/mm³', 'Impedancia', '150.000 - 450.000', numeric(0, 85000, 520000)),
    ],
  },
  {
    ...part('ERS', 'Eritrosedimentación', 'mm/1ª hora', 'Westergren', 'Hasta 20', numeric(0, 2, 85)),
    idArea: 1,
    nomenclador: '262',
    frequency: 0.2,
  },
  {
    ...part('GLU', 'Glucemia', 'mg/dL', 'Enzimático (GOD-PAP)', '70 - 110', numeric(0, 58, 320)),
    idArea: 2,
    nomenclador: '412',
    frequency: 0.55,
  },
  {
    ...part('URE', 'Urea', 'mg/dL', 'Ureasa UV', '15 - 45', numeric(0, 9, 140)),
    idArea: 2,
    nomenclador: '902',
    frequency: 0.4,
  },
  {
    ...part('CRE', 'Creatinina', 'mg/dL', 'Jaffé cinético', '0,60 - 1,20', numeric(2, 0.38, 4.9)),
    idArea: 2,
    nomenclador: '192',
    frequency: 0.4,
  },
  {
    ...part('LIPI', 'Perfil lipídico', '', '', '', title),
    idArea: 2,
    nomenclador: '1035',
    frequency: 0.2,
    parts: [
      part('COL', 'Colesterol total', 'mg/dL', 'Enzimático (CHOD-PAP)', 'Deseable: < 200', numeric(0, 120, 310)),
      part('HDL', 'Colesterol HDL', 'mg/dL', 'Directo', '> 40', numeric(0, 24, 92)),
      part('LDL', 'Colesterol LDL', 'mg/dL', 'Friedewald', '< 130', numeric(0, 55, 220)),
      part('TG', 'Triglicéridos', 'mg/dL', 'Enzimático (GPO-PAP)', '< 150', numeric(0, 45, 480)),
    ],
  },
  {
    ...part('HEPA', 'Hepatograma', '', '', '', title),
    idArea: 2,
    nomenclador: '1038',
    frequency: 0.15,
    parts: [
      part('GOT', 'GOT (AST)', 'U/L', 'Cinético UV (IFCC)', 'Hasta 38', numeric(0, 9, 240)),
      part('GPT', 'GPT (ALT)', 'U/L', 'Cinético UV (IFCC)', 'Hasta 41', numeric(0, 7, 260)),
      part('FAL', 'Fosfatasa alcalina', 'U/L', 'Cinético (DGKC)', '65 - 300', numeric(0, 40, 720)),
      part('BIT', 'Bilirrubina total', 'mg/dL', 'Jendrassik-Grof', 'Hasta 1,10', numeric(2, 0.2, 6.4)),
    ],
  },
  {
    ...part('IONO', 'Ionograma sérico', '', '', '', title),
    idArea: 2,
    nomenclador: '1050',
    frequency: 0.15,
    parts: [
      part('NA', 'Sodio', 'mEq/L', 'Ion selectivo', '135 - 145', numeric(0, 124, 152)),
      part('K', 'Potasio', 'mEq/L', 'Ion selectivo', '3,5 - 5,1', numeric(1, 2.8, 6.6)),
      part('CL', 'Cloro', 'mEq/L', 'Ion selectivo', '98 - 107', numeric(0, 90, 116)),
    ],
  },
  {
    ...part('ORIN', 'Orina completa', '', '', '', title),
    idArea: 3,
    nomenclador: '711',
    frequency: 0.3,
    parts: [
      part('OFQ', 'Examen físico-químico', '', '', '', title),
      part(
        'OCOL',
        'Color',
        '',
        'Macroscópico',
        'Amarillo',
        textResult('Amarillo', 'Amarillo claro', 'Ámbar', 'Rojizo'),
      ),
      part('OASP', 'Aspecto', '', 'Macroscópico', 'Límpido', textResult('Límpido', 'Ligeramente turbio', 'Turbio')),
      part('ODEN', 'Densidad', '', 'Tira reactiva', '1,005 - 1,030', numeric(3, 1.003, 1.034)),
      part('OPH', 'pH', '', 'Tira reactiva', '5,0 - 7,0', numeric(1, 4.8, 8.2)),
      part('OPRO', 'Proteínas', '', 'Tira reactiva', 'No contiene', textResult('No contiene', 'Vestigios', '+', '++')),
      part('OSED', 'Sedimento urinario', '', '', '', title),
      part(
        'OLEU',
        'Leucocitos',
        '/campo',
        'Microscopía',
        '0 - 5',
        textResult('0 - 2', '3 - 5', '10 - 15', 'Abundantes'),
      ),
      part('OHEM', 'Hematíes', '/campo', 'Microscopía', '0 - 2', textResult('No se observan', '0 - 2', '5 - 8')),
    ],
  },
  {
    ...part(
      'UROC',
      'Urocultivo',
      '',
      'Siembra en agar CLDE',
      'Sin desarrollo',
      textResult('Sin desarrollo bacteriano a las 48 h', 'Desarrollo de más de 100.000 UFC/mL'),
    ),
    idArea: 4,
    nomenclador: '1120',
    frequency: 0.12,
  },
  {
    ...part(
      'HEMC',
      'Hemocultivo',
      '',
      'Sistema automatizado',
      'Negativo',
      textResult('Negativo a los 5 días de incubación', 'Positivo'),
    ),
    idArea: 4,
    nomenclador: '1110',
    frequency: 0.04,
  },
  {
    ...part('TSH', 'TSH (tirotrofina)', 'µUI/mL', 'Quimioluminiscencia', '0,27 - 4,20', numeric(2, 0.05, 9.8)),
    idArea: 5,
    nomenclador: '1051',
    frequency: 0.08,
    derivedTo: 9001,
  },
  {
    ...part('VITD', 'Vitamina D (25-OH)', 'ng/mL', 'Quimioluminiscencia', 'Suficiencia: 30 - 100', numeric(1, 8, 62)),
    idArea: 5,
    nomenclador: '1040',
    frequency: 0.05,
    derivedTo: 9002,
  },
]

/** The laboratories that derived practices go to (Sys_Efector rows of the demo's SIL). */
export const DERIVATION_LABS = [
  { idEfector: 9001, nombre: 'Laboratorio Central de Referencia Provincial' },
  { idEfector: 9002, nombre: 'Hospital de Alta Complejidad «Pte. Juan D. Perón»' },
] as const

/** Health centres that send their patients' samples (requesting efectores). */
export const REQUESTING_CENTRES = [
  { idEfector: 9101, nombre: 'CAPS Nº 5 «Bº Laguna Seca»' },
  { idEfector: 9102, nombre: 'CAPS Nº 12 «San Marcelo»' },
  { idEfector: 9103, nombre: 'Centro de Salud «Dr. Juan Ramón Vidal»' },
] as const

export const GERMS = [
  { idGermen: 1, nombre: 'Escherichia coli' },
  { idGermen: 2, nombre: 'Klebsiella pneumoniae' },
  { idGermen: 3, nombre: 'Proteus mirabilis' },
  { idGermen: 4, nombre: 'Enterococcus faecalis' },
  { idGermen: 5, nombre: 'Staphylococcus aureus' },
] as const

export const ANTIBIOTICS = [
  'Ampicilina',
  'Amoxicilina-ácido clavulánico',
  'Cefalexina',
  'Ciprofloxacina',
  'Nitrofurantoína',
  'Trimetoprima-sulfametoxazol',
  'Gentamicina',
] as const

export const SUSCEPTIBILITY = ['Sensible', 'Sensible', 'Sensible', 'Intermedio', 'Resistente'] as const
export const SUSCEPTIBILITY_METHODS = ['Difusión en agar (Kirby-Bauer)', 'CIM automatizada (Vitek 2)'] as const

export const ORIGINS = [
  { idOrigen: 1, nombre: 'Ambulatorio' },
  { idOrigen: 2, nombre: 'Internación' },
  { idOrigen: 3, nombre: 'Guardia' },
] as const

export const PRIORITIES = [
  { idPrioridad: 1, nombre: 'Rutina' },
  { idPrioridad: 2, nombre: 'Urgencia' },
] as const

export const SAMPLE_TYPES = [
  { idMuestra: 1, nombre: 'Sangre entera (EDTA)' },
  { idMuestra: 2, nombre: 'Suero' },
  { idMuestra: 3, nombre: 'Orina primera micción' },
  { idMuestra: 4, nombre: 'Orina chorro medio (urocultivo)' },
] as const

export const SECTORS = [
  { idSectorServicio: 1, nombre: 'Consultorio externo', inpatient: false },
  { idSectorServicio: 2, nombre: 'Clínica médica', inpatient: true },
  { idSectorServicio: 3, nombre: 'Cirugía general', inpatient: true },
  { idSectorServicio: 4, nombre: 'Pediatría', inpatient: true },
  { idSectorServicio: 5, nombre: 'Maternidad', inpatient: true },
  { idSectorServicio: 6, nombre: 'Guardia central', inpatient: false },
  { idSectorServicio: 7, nombre: 'Terapia intensiva', inpatient: true },
] as const
