import { MESSAGES, type Lang } from '../i18n.js'
import { html, type SafeHtml } from './html.js'

export interface PageOptions {
  lang: Lang
  title: string
  /** The page's path, to link the other language. */
  path: string
  refreshSeconds: number
  body: SafeHtml
}

/** The frame of every page: viewport for phones, self-refresh, the package's own stylesheet, the language switch. */
export function layout(options: PageOptions): string {
  const messages = MESSAGES[options.lang]
  const other: Lang = options.lang === 'es' ? 'en' : 'es'
  return `<!doctype html>\n${
    html`<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${options.refreshSeconds}">
<meta name="robots" content="noindex">
<title>${options.title}</title>
<link rel="stylesheet" href="/assets/monitor.css">
</head>
<body>
<header class="top">
  <a class="home" href="/?lang=${options.lang}">labsync</a>
  <a class="lang-switch" href="${options.path}?lang=${other}" hreflang="${other}" lang="${other}">${messages.otherLanguage}</a>
</header>
<main>
${options.body}
</main>
<footer>${messages.refreshEvery.replace('{seconds}', String(options.refreshSeconds))}</footer>
</body>
</html>`.text
  }\n`
}
