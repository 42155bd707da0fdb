/**
 * Checks the generated API reference for broken internal links: every relative href/src in every
 * .html file under the given folder (default docs/api) must name a file that exists, and a #fragment
 * must name an id (or name) in that file. TypeDoc's own validation covers {@link} targets in the
 * doc comments; this covers what it wrote (navigation, cross-references, assets). External links
 * (http:, https:, mailto:, …) are not followed: the check runs offline.
 *
 *   node scripts/check-docs.mjs [docs/api]   exit 0: every link resolves; 1: lists the broken ones;
 *                                           2: no index.html there (run npm run docs first)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every file under dir, recursively. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

// Attribute values only: TypeDoc's pages carry no links in scripts that matter here (the navigation
// tree is data in assets/navigation.js, whose targets are the same pages the HTML links to).
const ATTRIBUTE = /\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const ID = /\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i; // a scheme (https:, mailto:, data:, javascript:) or protocol-relative

/** Decodes the entities TypeDoc writes inside attribute values. */
const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The broken links of the HTML files under root: [{ page, link, problem }], page relative to root. */
function checkDocs(root) {
  const pages = walk(root).filter((f) => f.endsWith('.html'));
  const ids = new Map(); // page → Set of ids, read on demand
  const idsOf = (file) => {
    if (!ids.has(file)) ids.set(file, new Set(Array.from(readFileSync(file, 'utf8').matchAll(ID), (m) => unescape(m[1] ?? m[2]))));
    return ids.get(file);
  };
  const broken = [];
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    for (const m of html.matchAll(ATTRIBUTE)) {
      const link = unescape(m[1] ?? m[2]);
      if (link === '' || link === '#' || EXTERNAL.test(link)) continue;
      const [pathAndQuery, fragment] = link.split('#', 2);
      const path = decodeURIComponent(pathAndQuery.split('?')[0]);
      const target = path === '' ? page : resolve(dirname(page), path);
      const problem = !existsSync(target)
        ? 'no such file'
        : fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))
          ? `no id "${fragment}" in ${relative(root, target)}`
          : null;
      if (problem) broken.push({ page: relative(root, page), link, problem });
    }
  }
  return { pages: pages.length, broken };
}

const root = resolve(process.argv[2] ?? 'docs/api');
if (!existsSync(join(root, 'index.html'))) {
  console.error(`check-docs: ${join(root, 'index.html')} does not exist (run npm run docs first)`);
  process.exit(2);
}
const { pages, broken } = checkDocs(root);
for (const b of broken) console.error(`check-docs: ${b.page}: ${b.link}: ${b.problem}`);
console.log(`check-docs: ${pages} pages, ${broken.length} broken internal link${broken.length === 1 ? '' : 's'}`);
process.exit(broken.length ? 1 : 0);
