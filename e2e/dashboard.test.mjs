// End-to-end tests of the dashboard in a real browser: headless Chromium (the system's
// /usr/bin/chromium, or $CHROMIUM) driven by playwright-core, against `entrepot serve`
// on a free loopback port.
//
// The store is built here from two small synthetic fixtures (fixtures/hs6.csv:
// exports of five countries by HS6 product, 2021-2023; fixtures/world.csv: six
// economies' trade with domestic sales, 2019-2020, millions of US dollars); neither
// holds China, so China's pages come from the embedded sample (the November 2025
// customs release). Each page is loaded, its headline figures are compared with the
// JSON API's document of the same request, its charts must be drawn (SVG with a size
// and marks), and a screenshot is saved under $E2E_OUT (default ../target/e2e).
//
// Run: npm ci && ENTREPOT_BIN=path/to/entrepot npm test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const bin = process.env.ENTREPOT_BIN
  || join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'entrepot');
const out = resolve(process.env.E2E_OUT || join(root, 'target', 'e2e'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let work; let server; let base; let browser; let context;

/** Runs the CLI on the test's store; throws with its output when it fails. */
function cli(...args) {
  return execFileSync(bin, ['--quiet', '--no-color', '--store', join(work, 'store'), ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts `entrepot serve` on port 0 and resolves with its base URL. */
function startServer() {
  return new Promise((ok, fail) => {
    server = spawn(bin, ['--quiet', '--store', join(work, 'store'), 'serve', '--addr', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => fail(new Error(`the server did not start: ${log}`)), 30000);
    const read = (chunk) => {
      log += chunk;
      const m = log.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); ok(m[1].replace(/\/$/, '')); }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`the server exited (${code}): ${log}`)); });
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'entrepot-e2e-'));
  mkdirSync(out, { recursive: true });
  cli('ingest', join(here, 'fixtures', 'hs6.csv'), '--dataset', 'hs6', '--map',
    'reporter=exporter,partner=importer,flow=export,period=year,product=hs6,hs_revision=HS2017,value=value');
  cli('ingest', join(here, 'fixtures', 'world.csv'), '--dataset', 'world', '--map',
    'reporter=exporter,partner=importer,flow=export,period=year,value=trade,value_scale=millions');
  base = await startServer();
  // A fresh profile and no background traffic: Chromium otherwise waits on the network.
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  browser = context;
});

after(async () => {
  if (context) await context.close();
  if (server) { server.removeAllListeners('exit'); server.kill('SIGTERM'); }
  if (work) rmSync(work, { recursive: true, force: true });
});

/** GET of the JSON API. */
async function api(path, init) {
  const r = await fetch(base + path, init);
  const body = await r.text();
  assert.equal(r.status, 200, `${path}: ${r.status} ${body.slice(0, 500)}`);
  return JSON.parse(body);
}

/** Every headline figure of a report document: label and numeric value (or null). */
function documentFigures(doc) {
  const items = [];
  for (const section of doc.sections || []) {
    for (const block of section.blocks || []) {
      if (block.type !== 'figures') continue;
      for (const it of block.items) {
        const v = it.value;
        const value = v.type === 'figure' ? v.figure.value : v.type === 'number' ? v.value : null;
        items.push({ label: it.label, value });
      }
    }
  }
  return items;
}

/** The first number of a displayed value (`$330.3bn`, `−28.6%`, `1,234`) and its decimals. */
function shownNumber(text) {
  const m = text.replace(/\u2212/g, '-').match(/[-+]?\d[\d,]*(\.\d+)?/);
  if (!m) return null;
  return { value: Number(m[0].replace(/,/g, '')), decimals: m[1] ? m[1].length - 1 : 0 };
}

/** Whether a displayed number is the value, rounded, at some power of 1000 (k, m, bn, tn). */
function sameNumber(shown, value) {
  const half = 0.5 * 10 ** -shown.decimals;
  return [1e-3, 1, 1e3, 1e6, 1e9, 1e12].some((s) =>
    Math.abs(Math.abs(shown.value) * s - Math.abs(value)) <= half * s + 1e-9 * Math.abs(value)
    && (value === 0 || shown.value === 0 || Math.sign(shown.value) === Math.sign(value)));
}

/**
 * The page's headline figures (`dl.figures` in the element `scope`) agree with the
 * document's: the same labels in the same order, each number the document's rounded.
 */
async function figuresMatch(page, scope, doc) {
  const want = documentFigures(doc);
  const got = await page.$$eval(`${scope} dl.figures`, (dls) => dls.flatMap((dl) =>
    [...dl.querySelectorAll('dt')].map((dt) => ({ label: dt.textContent.trim(), text: dt.nextElementSibling.textContent.trim() }))));
  assert.equal(got.length, want.length, `${scope}: as many figures on the page as in the document`);
  let compared = 0;
  want.forEach((w, k) => {
    assert.equal(got[k].label, w.label, `${scope}: figure ${k}`);
    if (w.value === null) return;
    const shown = shownNumber(got[k].text);
    assert.ok(shown, `${scope}: ${w.label} shows a number: ${got[k].text}`);
    assert.ok(sameNumber(shown, w.value), `${scope}: ${w.label}: page ${got[k].text}, API ${w.value}`);
    compared += 1;
  });
  return compared;
}

/**
 * The page's tables agree with the document's: each table of the document (in order)
 * is the next table in `scope` with the document's visible columns, with its rows,
 * text cells with the same text and numbers the document's rounded. Returns the
 * numbers compared.
 */
async function tablesMatch(page, scope, doc) {
  const tables = await page.$$eval(`${scope} table`, (ts) => ts.map((t) =>
    [...t.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim()))));
  let next = 0;
  let compared = 0;
  for (const section of doc.sections || []) {
    for (const t of (section.blocks || []).filter((b) => b.type === 'table')) {
      const visible = t.columns.map((c, i) => [c, i]).filter(([c]) => !c.detail);
      const labels = JSON.stringify(visible.map(([c]) => c.label));
      while (next < tables.length && JSON.stringify(tables[next][0]) !== labels) next += 1;
      assert.ok(next < tables.length, `${scope}: table ${t.id} (${labels}) is on the page`);
      const rows = tables[next].slice(1);
      next += 1;
      const all = t.rows.concat(t.footer || []);
      assert.equal(rows.length, all.length, `${t.id}: rows`);
      all.forEach((row, r) => {
        visible.forEach(([, i], k) => {
          const cell = row.cells[i];
          const text = rows[r][k];
          if (cell.type === 'text') {
            assert.equal(text, cell.text.trim(), `${t.id} row ${r} column ${k}`);
            return;
          }
          const value = cell.type === 'figure' ? cell.figure.value : cell.type === 'number' ? cell.value : null;
          if (value === null) return;
          const n = shownNumber(text);
          assert.ok(n && sameNumber(n, value), `${t.id} row ${r} column ${t.columns[i].label}: page ${text}, API ${value}`);
          compared += 1;
        });
      });
    }
  }
  assert.ok(compared > 0, `${scope}: numbers of tables compared`);
  return compared;
}

/** The charts in `scope` are drawn: SVG elements with a size, holding marks. */
async function chartsDrawn(page, scope, atLeast = 1) {
  const charts = await page.$$eval(`${scope} svg.chart`, (svgs) => svgs.map((s) => {
    const r = s.getBoundingClientRect();
    return {
      label: s.getAttribute('aria-label'),
      width: r.width,
      height: r.height,
      marks: s.querySelectorAll('path.line, rect.bar, rect.cell, circle.dot, rect:not(.legend-swatch)').length,
    };
  }));
  assert.ok(charts.length >= atLeast, `${scope}: ${charts.length} charts, want at least ${atLeast}`);
  for (const c of charts) {
    assert.ok(c.label && c.label.length > 0, `a chart has a label: ${JSON.stringify(c)}`);
    assert.ok(c.width > 50 && c.height > 30, `chart ${c.label} has a size: ${c.width}×${c.height}`);
  }
  assert.ok(charts.some((c) => c.marks > 0), `${scope}: some chart holds marks`);
  return charts;
}

/** Accessibility basics: a language, one h1, every form control labelled, focus visible on the skip link. */
async function accessible(page) {
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').count(), 1);
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea',
    (els) => els.filter((e) => !(e.labels && e.labels.length)).map((e) => e.outerHTML));
  assert.deepEqual(unlabelled, [], 'every form control has a label');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
}

/** A new tab that records every request to another origin (the pages work offline). */
async function newPage() {
  const page = await browser.newPage();
  page.foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) page.foreign.push(r.url()); });
  return page;
}

/** Closes a tab: it asked nothing of another origin. */
async function closePage(page) {
  assert.deepEqual(page.foreign, [], 'no request to another origin');
  await page.close();
}

async function load(page, path) {
  const r = await page.goto(base + path);
  assert.equal(r.status(), 200, `${path}: ${r.status()}`);
  return r;
}

test('the country page of China, November 2025 (embedded sample): the article\'s headline figures, as the API gives them', async () => {
  const page = await newPage();
  await load(page, '/country/CHN?period=2025-11');
  const doc = await api('/api/v1/brief/CHN?period=2025-11&view=document');
  const compared = await figuresMatch(page, '#brief-document', doc);
  await tablesMatch(page, '#brief-document', doc);
  // The article: exports $330.3bn, +5.9% y/y; exports to the US −28.6%. On the page:
  // the headline table's November exports and their change, and the US figure.
  const headline = await page.$$eval('#brief-document table', (ts) => ts.map((t) =>
    [...t.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.childNodes[0] ? c.childNodes[0].textContent.trim() : ''))))
    .then((ts) => ts.find((t) => t[0].includes('Exports') && t[0].includes('Balance')));
  assert.ok(headline, 'the headline table');
  // Rows: a period (spanning rows), then `value` or `vs PERIOD`, then exports, imports, balance.
  assert.deepEqual(headline[0].filter((c) => c), ['Exports', 'Imports', 'Balance']);
  const nov = headline.findIndex((r) => r[0] === 'Nov 2025');
  const after = (row, label) => row[row.indexOf(label) + 1];
  assert.equal(after(headline[nov], 'value'), '330.3bn', 'exports, November 2025');
  assert.equal(after(headline[nov + 1], 'vs 2024-11'), '+5.9%', 'exports y/y');
  const usa = await page.$$eval('#brief-document dl.figures dt', (dts) => dts
    .filter((dt) => dt.textContent.trim() === 'USA y/y').map((dt) => dt.nextElementSibling.childNodes[0].textContent.trim()));
  assert.deepEqual(usa.slice(0, 1), ['-28.6%'], 'exports to the US y/y');
  const brief = await api('/api/v1/brief/CHN?period=2025-11');
  assert.ok(JSON.stringify(brief).includes('330.3'), 'the brief JSON holds 330.3');
  await chartsDrawn(page, '#brief-document', 2);
  assert.ok(await page.locator('a[href="/products/CHN"]').count() > 0, 'links to the products page');
  // The screenshot of the article's figures: from the top of the page to the US figure.
  const us = await page.evaluate(() => {
    const dt = [...document.querySelectorAll('#brief-document dl.figures dt')].find((d) => d.textContent.trim() === 'USA y/y');
    const r = dt.nextElementSibling.getBoundingClientRect();
    return r.bottom + window.scrollY;
  });
  await page.screenshot({ path: join(out, 'country-CHN-2025-11.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(us + 24) } });
  await accessible(page);
  await page.screenshot({ path: join(out, 'country-CHN-2025-11-full.png'), fullPage: true });
  // On a phone: the page fits the width (wide tables and charts scroll inside it).
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px too wide)`);
  await page.screenshot({ path: join(out, 'country-CHN-2025-11-phone.png') });
  await closePage(page);
  assert.ok(compared >= 3);
});

test('the pair page (DEU, USA): dependence figures as the API gives them', async () => {
  const page = await newPage();
  await load(page, '/pair/DEU/USA?dataset=hs6');
  const doc = await api('/api/v1/dependence/DEU/USA?dataset=hs6');
  await figuresMatch(page, '#dep-document', doc);
  await tablesMatch(page, '#dep-document', doc);
  await chartsDrawn(page, '#dep-document');
  await accessible(page);
  // The mirror section is there, computed or saying why not.
  assert.ok(await page.locator('#mir-document').count() === 1);
  await page.screenshot({ path: join(out, 'pair-DEU-USA.png'), fullPage: true });
  await closePage(page);
});

test('the products page (DEU): world shares and RCA over time, a basket chosen with the form, the projection', async () => {
  const page = await newPage();
  // Two datasets hold Germany: the page says so and asks for one.
  const several = await page.goto(`${base}/products/DEU`);
  assert.equal(several.status(), 400);
  assert.match(await page.textContent('#edge-document'), /several datasets/);
  await page.fill('#dataset', 'hs6');
  await Promise.all([page.waitForNavigation(), page.click('form.search button[type=submit]')]);
  assert.match(page.url(), /dataset=hs6/);
  const doc = await api('/api/v1/edge/DEU?dataset=hs6');
  await figuresMatch(page, '#edge-document', doc);
  await tablesMatch(page, '#edge-document', doc);
  await chartsDrawn(page, '#edge-document');
  await accessible(page);
  // The projection of the share: the API's document, or why it cannot be computed.
  assert.equal(await page.locator('#projection').count(), 1, 'the projection section');
  const projected = await fetch(`${base}/api/v1/project/DEU?dataset=hs6`);
  if (projected.status === 200) {
    await figuresMatch(page, '#projection', await projected.json());
  } else {
    const why = (await projected.json()).error.message;
    assert.match(await page.textContent('#projection'), /Not available:/);
    assert.ok((await page.textContent('#projection')).includes(why.match(/^[\w ]{0,30}/)[0]), why);
  }
  // Choose a basket with the keyboard-usable form (no script) and submit.
  await page.selectOption('#basket', 'solar_cells');
  await Promise.all([page.waitForNavigation(), page.click('form.search button[type=submit]')]);
  assert.match(page.url(), /basket=solar_cells/);
  const basketDoc = await api('/api/v1/edge/DEU?dataset=hs6&basket=solar_cells');
  await tablesMatch(page, '#edge-document', basketDoc);
  await chartsDrawn(page, '#edge-document');
  assert.equal(await page.inputValue('#basket'), 'solar_cells', 'the form keeps the choice');
  await page.screenshot({ path: join(out, 'products-DEU-solar_cells.png'), fullPage: true });
  await closePage(page);
});

test('the scenario page: the form submitted without script, the diversion and welfare as the API gives them', async () => {
  const page = await newPage();
  await load(page, '/scenario?importer=USA&exporter=MEX');
  await accessible(page);
  assert.equal(await page.inputValue('#importer'), 'USA', 'prefilled from the link');
  await page.fill('#change_pp', '25');
  await page.fill('#theta', '4');
  await page.fill('#se', '0.5');
  await page.fill('#draws', '20');
  await page.fill('#dataset', 'world');
  await page.fill('#year', '2020');
  await page.fill('#exporter_column', 'reporter');
  await page.fill('#importer_column', 'partner');
  await page.fill('#value_column', 'value_usd');
  await page.fill('#currency', 'USD');
  await Promise.all([page.waitForNavigation({ timeout: 60000 }), page.click('form.search button[type=submit]')]);
  const status = await page.evaluate(() => document.querySelector('#scn-document') ? 'ok' : document.body.innerText);
  assert.equal(status, 'ok');
  const spec = JSON.parse(await page.textContent('#scenario-json'));
  assert.equal(spec.shock[0].change_pp, 25);
  const doc = await api('/api/v1/scenario', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec),
  });
  assert.equal(doc.kind, 'scenario');
  assert.ok(await figuresMatch(page, '#scn-document', doc) + await tablesMatch(page, '#scn-document', doc) > 20);
  await chartsDrawn(page, '#scn-document');
  const text = await page.textContent('#scn-document');
  assert.match(text, /diversion/i);
  assert.match(text, /welfare/i);
  await page.screenshot({ path: join(out, 'scenario-USA-MEX.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px too wide)`);
  await page.screenshot({ path: join(out, 'scenario-phone.png') });
  await closePage(page);
});

test('the API documentation: the OpenAPI document lists the pages and endpoints', async () => {
  const page = await newPage();
  await load(page, '/api/v1/openapi.json');
  const doc = JSON.parse(await page.evaluate(() => document.body.innerText));
  for (const p of ['/country/{iso3}', '/pair/{a}/{b}', '/products/{reporter}', '/scenario', '/api/v1/brief/{reporter}', '/api/v1/scenario']) {
    assert.ok(doc.paths[p], `${p} is documented`);
  }
  await closePage(page);
});
