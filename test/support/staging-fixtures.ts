import type { Row } from '../../src/db/row-validator.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'

/** Hand-made staging rows for tests, given as objects and turned into arrays in column order. */
export type HeaderValues = Record<string, unknown> & { idProtocolo: number; idEfector: number }
export type DetailValues = Record<string, unknown> & {
  idProtocolo: number
  idEfector: number
  idDetalleProtocolo: number
}

export function header(values: HeaderValues): Record<string, unknown> {
  return {
    apellido: 'Núñez',
    nombre: 'María José',
    edad: 34,
    unidadEdad: 'Años',
    fechaNacimiento: '02/03/1992',
    sexo: 'F',
    numeroDocumento: 36123456,
    fecha: '20/11/2026',
    fecha1: '2026-11-20 08:15:30.123',
    domicilio: 'Av. San Martín 1234',
    HC: 5501,
    prioridad: 'Rutina',
    origen: 'Ambulatorio',
    numero: String(values.idProtocolo),
    hiv: false,
    solicitante: 'DRA. PEÑA',
    sector: 'Consultorio',
    sala: '',
    cama: '',
    embarazo: '',
    EfectorSolicitante: 'Hospital Central',
    idSolicitudScreening: null,
    fechaRecibeScreening: null,
    observacionesResultados: null,
    tipoMuestra: 'Sangre',
    baja: false,
    idLocalidad: 10,
    idProvincia: 6,
    telefonoFijo: null,
    telefonoCelular: '3794123456',
    ...values,
  }
}

export function detail(values: DetailValues): Record<string, unknown> {
  return {
    codigoNomenclador: '475',
    codigo: 'GLU',
    ordenArea: 2,
    orden: 1,
    area: 'Química',
    grupo: 'Glucemia',
    item: 'Glucemia',
    observaciones: '',
    esTitulo: 'No',
    derivado: '',
    unidad: 'mg/dL',
    hiv: false,
    metodo: 'Enzimático',
    valorReferencia: '70 - 110',
    orden1: values.idDetalleProtocolo,
    muestra: 'Si',
    conresultado: 1,
    resultado: '95',
    codigo2: 'GLU',
    profesional_val: 'Bioq. Gómez',
    ...values,
  }
}

export const headerRow = (values: Record<string, unknown>): Row =>
  HEADER_COLUMNS.map((column) => values[column.name] ?? null)
export const detailRow = (values: Record<string, unknown>): Row =>
  DETAIL_COLUMNS.map((column) => values[column.name] ?? null)
