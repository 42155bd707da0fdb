/**
 * The report module: the study report `keel demo` and `keel train` write (a self-contained HTML
 * page, SVG charts, and the results table as JSON and Markdown).
 *
 * @module
 */
export { renderStudyReport, writeStudyReport } from './study.js';
export type { CurveSet, ReportColumn, ReportTable, StudyReport, WrittenReport } from './study.js';
export { textTable } from './text-table.js';
