/*
 * The theme explorer: runs in the browser on the JSON embedded in the report (ReportData, src/report/types.ts;
 * split by render-html.ts into a summary and one element of members per theme).
 * Every string from the lake is transcript text and is only ever inserted as text (DOM text nodes, canvas
 * labels), never parsed as markup. Long lists are virtualised and theme pages are built on click, so a
 * 5,000-firm quarter opens without building its whole DOM.
 */
(() => {
  performance.mark('report-start');
  readElement('report-data').then(start, (err) => {
    document.getElementById('app').textContent = `The report's data could not be read: ${err}`;
    console.error(err);
  });

  /**
   * The JSON of one data element: plain, or gzip-compressed as base64 (smaller, so the browser parses the
   * page sooner). The summary is read at load; a theme's members (`theme-data-<i>`) when it is opened.
   */
  async function readElement(id) {
    const el = document.getElementById(id);
    if (!el) throw new Error(`the report has no element ${id}`);
    if (el.type === 'application/json') return JSON.parse(el.textContent);
    const b64 = el.textContent.trim();
    let bytes;
    if (typeof Uint8Array.fromBase64 === 'function') bytes = Uint8Array.fromBase64(b64);
    else {
      const text = atob(b64);
      bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    }
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return JSON.parse(await new Response(stream).text());
  }

  function start(data) {
    performance.mark('report-parsed');
    const ROW = 58;
    const FIRM_ROW = 44;
    const PAGE = 25;

    // ---- DOM helpers: children are Nodes or text; attributes are set one by one, never as markup.
    function h(tag, props, ...children) {
      const el = document.createElement(tag);
      if (props)
        for (const [k, v] of Object.entries(props)) {
          if (v === null || v === undefined || v === false) continue;
          if (k === 'class') el.className = v;
          else if (k === 'onclick') el.addEventListener('click', v);
          else el.setAttribute(k, String(v));
        }
      for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c);
      return el;
    }
    const fmt = new Intl.NumberFormat('en-US');
    const n = (x) => fmt.format(x);
    const signed = (x) => (x > 0 ? '+' : x < 0 ? '−' : '') + Math.abs(x).toFixed(2);
    const pct = (x) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

    function sentimentBar(s) {
      const bar = h('span', { class: s ? 'sbar' : 'sbar none' });
      if (!s) {
        bar.title = 'no labelled sentences';
        return bar;
      }
      const w = Math.min(1, Math.abs(s.score)) * 50;
      const fill = h('span', { class: s.score >= 0 ? 'pos' : 'neg' });
      fill.style.width = `${w}%`;
      fill.style.left = s.score >= 0 ? '50%' : `${50 - w}%`;
      bar.append(fill);
      bar.title = `sentiment ${signed(s.score)}: ${n(s.positive)} positive, ${n(s.negative)} negative, ${n(s.neutral)} neutral of ${n(s.total)} sentences`;
      return bar;
    }
    const scoreText = (s) => h('span', { class: 'score' }, s ? signed(s.score) : '–');

    // ---- Indexes, built once.
    const quarters = data.quarters.map((q) => q.quarter);
    const themeById = new Map(data.themes.map((t) => [t.id, t]));
    const themesOfQuarter = new Map(quarters.map((q) => [q, []]));
    for (const t of data.themes) themesOfQuarter.get(t.quarter)?.push(t);
    /** quarter → firm index → themes that hold one of the firm's topics */
    const firmThemes = new Map(quarters.map((q) => [q, new Map()]));
    for (const t of data.themes) {
      const m = firmThemes.get(t.quarter);
      if (!m) continue;
      for (const fi of t.firms) {
        if (!m.has(fi)) m.set(fi, []);
        m.get(fi).push(t);
      }
    }
    /** A theme's member topics and firm sentiment, read from its own element the first time it is opened. */
    const themeIndex = new Map(data.themes.map((t, i) => [t, i]));
    const detailsRead = new Map();
    function details(t) {
      if (!detailsRead.has(t))
        detailsRead.set(
          t,
          readElement(`theme-data-${themeIndex.get(t)}`).then((d) => {
            t.topics = d.topics;
            t.firmSentiment = d.firmSentiment;
            return t;
          }),
        );
      return detailsRead.get(t);
    }
    /** Bumped on every render, so a page whose data arrives after the reader moved on is dropped. */
    let renderToken = 0;
    const linksTo = new Map();
    const linksFrom = new Map();
    for (const l of data.links) {
      if (!linksTo.has(l.to)) linksTo.set(l.to, []);
      linksTo.get(l.to).push(l);
      if (!linksFrom.has(l.from)) linksFrom.set(l.from, []);
      linksFrom.get(l.from).push(l);
    }
    const bestLink = (links) =>
      (links ?? []).reduce((b, l) => (!b || l.similarity > b.similarity ? l : b), null);
    let themeText = null;
    let firmText = null;
    const lower = (s) => (s ?? '').toLocaleLowerCase();

    performance.mark('report-indexed');

    // ---- State, kept in the location hash so back/forward and links work.
    const state = { quarter: quarters.at(-1), query: '', theme: null, firm: null };
    function hashOf(s) {
      const p = new URLSearchParams();
      p.set('q', s.quarter);
      if (s.query) p.set('s', s.query);
      if (s.theme) p.set('theme', s.theme);
      if (s.firm !== null && s.firm !== undefined) p.set('firm', data.firms[s.firm].id);
      return `#${p.toString()}`;
    }
    function readHash() {
      const p = new URLSearchParams(location.hash.slice(1));
      const q = p.get('q');
      state.quarter = quarters.includes(q) ? q : quarters.at(-1);
      state.query = p.get('s') ?? '';
      state.theme = themeById.has(p.get('theme')) ? p.get('theme') : null;
      const f = p.get('firm');
      const fi = f === null ? -1 : data.firms.findIndex((x) => x.id === f);
      state.firm = fi >= 0 ? fi : null;
      if (state.theme) state.quarter = themeById.get(state.theme).quarter;
    }
    function go(patch) {
      const next = { ...state, theme: null, firm: null, ...patch };
      const hash = hashOf(next);
      if (hash === location.hash) render();
      else location.hash = hash;
    }
    const themeLink = (t, text) =>
      h(
        'a',
        {
          href: hashOf({ quarter: t.quarter, query: '', theme: t.id, firm: null }),
          'data-theme': t.id,
        },
        text ?? t.name,
      );
    const firmLabel = (fi) => {
      const f = data.firms[fi];
      return f.name ? `${f.id} · ${f.name}` : f.id;
    };
    const firmLink = (fi, quarter) =>
      h('a', { href: hashOf({ quarter, query: '', theme: null, firm: fi }) }, firmLabel(fi));

    // ---- Page skeleton.
    const root = document.getElementById('app');
    const search = h('input', {
      class: 'search',
      type: 'search',
      placeholder: 'Search themes, keywords, firms…',
      'aria-label': 'Search themes and firms',
    });
    const tabs = h('div', { class: 'tabs', role: 'tablist' });
    const stats = h('div', { class: 'stats' });
    const view = h('main');
    root.append(h('header', { class: 'top' }, h('h1', null, data.title), tabs, search, stats), view);
    let searchTimer = 0;
    search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => go({ quarter: state.quarter, query: search.value.trim() }), 120);
    });

    function renderHeader() {
      tabs.replaceChildren(
        ...quarters.map((q) =>
          h(
            'button',
            {
              class: q === state.quarter ? 'on' : '',
              role: 'tab',
              'aria-selected': q === state.quarter,
              onclick: () => go({ quarter: q, query: state.query }),
            },
            q,
          ),
        ),
      );
      const qs = data.quarters.find((x) => x.quarter === state.quarter);
      stats.textContent = qs
        ? `${n(qs.firms)} firms · ${n(qs.topics)} topics · ${n(qs.themes)} themes · ` +
          `${qs.topics ? pct(qs.themedTopics / qs.topics) : '0%'} of topics in a theme · ` +
          `${n(qs.labelledSentences)} labelled sentences`
        : '';
      if (document.activeElement !== search) search.value = state.query;
    }

    // ---- A virtualised list: only the rows in view (plus a margin) exist in the DOM.
    function virtualList(items, rowHeight, renderRow, label) {
      const inner = h('div', { class: 'vlist-inner' });
      const box = h('div', { class: 'vlist', role: 'list', 'aria-label': label }, inner);
      inner.style.height = `${items.length * rowHeight}px`;
      box.style.height = `${Math.min(560, items.length * rowHeight + 2)}px`;
      let first = -1;
      let last = -1;
      const draw = () => {
        const height = box.clientHeight || 560;
        const from = Math.max(0, Math.floor(box.scrollTop / rowHeight) - 6);
        const to = Math.min(items.length, Math.ceil((box.scrollTop + height) / rowHeight) + 6);
        if (from === first && to === last) return;
        first = from;
        last = to;
        const rows = [];
        for (let i = from; i < to; i++) {
          const row = renderRow(items[i], i);
          row.classList.add('vrow');
          row.setAttribute('role', 'listitem');
          row.tabIndex = 0;
          row.style.top = `${i * rowHeight}px`;
          row.style.height = `${rowHeight}px`;
          rows.push(row);
        }
        inner.replaceChildren(...rows);
      };
      // Rows open with Enter as with a click, so the list works from the keyboard.
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && e.target.classList.contains('vrow')) e.target.click();
      });
      let pending = false;
      box.addEventListener('scroll', () => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          draw();
        });
      });
      requestAnimationFrame(draw);
      box.redraw = draw;
      return box;
    }

    function themeRow(t) {
      const from = bestLink(linksTo.get(t.id));
      const prev = from && themeById.get(from.from);
      return h(
        'div',
        { 'data-theme': t.id, onclick: () => go({ quarter: t.quarter, theme: t.id }) },
        h(
          'div',
          { class: 'main' },
          h('div', { class: 'name' }, t.name, ' ', h('span', { class: 'id' }, t.id)),
          h(
            'div',
            { class: 'sub' },
            t.keywords.slice(0, 8).join(', '),
            prev ? ` · from ${prev.quarter} “${prev.name}” (${from.similarity.toFixed(2)})` : '',
          ),
        ),
        h('div', { class: 'nums' }, `${n(t.nFirms)} firms`, h('br'), `${n(t.nTopics)} topics`),
        sentimentBar(t.sentiment),
        scoreText(t.sentiment),
      );
    }

    function firmRow(entry) {
      const [fi, themes] = entry;
      return h(
        'div',
        { 'data-firm': data.firms[fi].id, onclick: () => go({ quarter: state.quarter, firm: fi }) },
        h(
          'div',
          { class: 'main' },
          h('div', { class: 'name' }, firmLabel(fi)),
          h('div', { class: 'sub' }, themes.length ? themes.map((t) => t.name).join(' · ') : 'in no theme'),
        ),
        h('div', { class: 'nums' }, `${themes.length} theme${themes.length === 1 ? '' : 's'}`),
      );
    }

    // ---- Overview: charts, theme list, firm list, lineage of the quarter.
    const charts = [];
    function destroyCharts() {
      while (charts.length) charts.pop().destroy();
    }

    function filtered() {
      const themes = themesOfQuarter.get(state.quarter) ?? [];
      const byFirm = firmThemes.get(state.quarter) ?? new Map();
      const q = lower(state.query);
      const firmsInQuarter = [];
      for (const [fi, list] of byFirm) firmsInQuarter.push([fi, list]);
      firmsInQuarter.sort((a, b) => (data.firms[a[0]].id < data.firms[b[0]].id ? -1 : 1));
      if (!q) return { themes, firms: firmsInQuarter };
      themeText ??= new Map(
        data.themes.map((t) => [
          t,
          lower(`${t.name}\n${t.keywords.join(' ')}\n${t.description ?? ''}\n${t.id}`),
        ]),
      );
      firmText ??= data.firms.map((f) => lower(`${f.id}\n${f.name ?? ''}`));
      const firms = firmsInQuarter.filter(([fi]) => firmText[fi].includes(q));
      const viaFirm = new Set(firms.flatMap(([, list]) => list));
      return { themes: themes.filter((t) => viaFirm.has(t) || themeText.get(t).includes(q)), firms };
    }

    function renderOverview() {
      const { themes, firms } = filtered();
      const qs = state.quarter;
      const chartThemes = [...themes].sort((a, b) => b.nTopics - a.nTopics).slice(0, 20);
      const sentimentCanvas = h('canvas', { id: 'chart-sentiment', 'aria-label': 'Sentiment by theme' });
      const sizeCanvas = h('canvas', { id: 'chart-sizes', 'aria-label': 'Theme sizes' });
      const links = data.links.filter((l) => l.quarter === qs && themeById.has(l.to));
      view.replaceChildren(
        h(
          'div',
          { class: 'charts' },
          h(
            'div',
            { class: 'card' },
            h(
              'h2',
              null,
              'Sentiment by theme ',
              h('span', { class: 'count' }, `(${chartThemes.length} largest)`),
            ),
            h('div', { class: 'chart-box' }, sentimentCanvas),
          ),
          h(
            'div',
            { class: 'card' },
            h('h2', null, 'Theme sizes ', h('span', { class: 'count' }, `(${chartThemes.length} largest)`)),
            h('div', { class: 'chart-box' }, sizeCanvas),
          ),
        ),
        h(
          'div',
          { class: 'grid' },
          h(
            'section',
            { class: 'card', id: 'themes' },
            h(
              'h2',
              null,
              `Themes of ${qs} `,
              h('span', { class: 'count', id: 'theme-count' }, `(${n(themes.length)})`),
            ),
            themes.length
              ? virtualList(themes, ROW, themeRow, 'Themes')
              : h(
                  'div',
                  { class: 'empty' },
                  (themesOfQuarter.get(qs) ?? []).length
                    ? 'No theme matches the search.'
                    : `No themes for ${qs}.`,
                ),
          ),
          h(
            'div',
            null,
            h(
              'section',
              { class: 'card', id: 'firms' },
              h(
                'h2',
                null,
                state.query ? 'Matching firms ' : 'Firms ',
                h('span', { class: 'count', id: 'firm-count' }, `(${n(firms.length)})`),
              ),
              firms.length
                ? virtualList(firms, FIRM_ROW, firmRow, 'Firms')
                : h('div', { class: 'empty' }, 'No firm matches the search.'),
            ),
            h(
              'section',
              { class: 'card section', id: 'lineage' },
              h(
                'h2',
                null,
                `Lineage into ${qs} `,
                h('span', { class: 'count' }, `(${n(links.length)} links)`),
              ),
              links.length
                ? linkTable(links)
                : h('div', { class: 'empty' }, 'No links from an earlier quarter.'),
            ),
          ),
        ),
      );
      destroyCharts();
      if (chartThemes.length) drawCharts(chartThemes, sentimentCanvas, sizeCanvas);
    }

    /** A table in the firms style: a header row (the `numeric` columns right-aligned) over `body`. */
    function table(headers, numeric, body) {
      const heads = headers.map((x) => h('th', { class: numeric.includes(x) ? 'n' : null }, x));
      return h('table', { class: 'firms' }, h('thead', null, h('tr', null, heads)), body);
    }

    function linkTable(links) {
      const rows = [];
      const shown = links.slice(0, 200);
      for (const l of shown) {
        const a = themeById.get(l.from);
        const b = themeById.get(l.to);
        rows.push(
          h(
            'tr',
            null,
            h('td', null, a ? themeLink(a) : l.from),
            h('td', { class: 'n' }, l.similarity.toFixed(2)),
            h('td', null, b ? themeLink(b) : l.to),
          ),
        );
      }
      return h(
        'div',
        { class: 'lineage-table' },
        table(['earlier theme', 'similarity', 'theme'], ['similarity'], h('tbody', null, rows)),
        links.length > shown.length
          ? h('div', { class: 'empty' }, `${n(links.length - shown.length)} more links`)
          : null,
      );
    }

    function drawCharts(themes, sentimentCanvas, sizeCanvas) {
      if (typeof Chart === 'undefined') return;
      const labels = themes.map((t) => (t.name.length > 38 ? `${t.name.slice(0, 37)}…` : t.name));
      const open = (_event, elements) => {
        if (elements.length) go({ quarter: state.quarter, theme: themes[elements[0].index].id });
      };
      const common = {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        onClick: open,
        scales: { y: { ticks: { autoSkip: false, font: { size: 11 } } } },
      };
      const scores = themes.map((t) => (t.sentiment ? t.sentiment.score : 0));
      charts.push(
        new Chart(sentimentCanvas, {
          type: 'bar',
          data: {
            labels,
            datasets: [
              {
                label: 'sentiment',
                data: scores,
                backgroundColor: scores.map((s) => (s >= 0 ? '#2e8b57' : '#c2413b')),
              },
            ],
          },
          options: {
            ...common,
            plugins: {
              legend: { display: false },
              tooltip: {
                callbacks: {
                  label: (ctx) => {
                    const s = themes[ctx.dataIndex].sentiment;
                    return s ? `${signed(s.score)} (${n(s.total)} sentences)` : 'no labelled sentences';
                  },
                },
              },
            },
            scales: {
              ...common.scales,
              x: { min: -1, max: 1, title: { display: true, text: '(#pos − #neg) / #sentences' } },
            },
          },
        }),
      );
      charts.push(
        new Chart(sizeCanvas, {
          type: 'bar',
          data: {
            labels,
            datasets: [
              { label: 'firms', data: themes.map((t) => t.nFirms), backgroundColor: '#2f5fb3' },
              { label: 'topics', data: themes.map((t) => t.nTopics), backgroundColor: '#9bb5e3' },
            ],
          },
          options: { ...common, plugins: { legend: { position: 'top' } } },
        }),
      );
    }

    // ---- A theme's page, built when opened.
    function lineageChain(t) {
      const seen = new Set([t.id]);
      // Follows the strongest link from theme to theme ([theme, link] pairs) until it ends or loops.
      const follow = (links, end) => {
        const steps = [];
        for (let cur = t; ; ) {
          const l = bestLink(links.get(cur.id));
          const other = l && themeById.get(l[end]);
          if (!other || seen.has(other.id)) return steps;
          seen.add(other.id);
          steps.push([other, l]);
          cur = other;
        }
      };
      const back = follow(linksTo, 'from').reverse();
      const fwd = follow(linksFrom, 'to');
      const node = (x, here) =>
        h(
          'div',
          { class: here ? 'node here' : 'node' },
          h('div', { class: 'id' }, x.quarter),
          here ? h('b', null, x.name) : themeLink(x),
          h(
            'div',
            { class: 'id' },
            `${n(x.nFirms)} firms · sentiment ${x.sentiment ? signed(x.sentiment.score) : '–'}`,
          ),
        );
      const parts = [];
      for (const [x, l] of back)
        parts.push(node(x, false), h('div', { class: 'arrow' }, '→', h('br'), l.similarity.toFixed(2)));
      parts.push(node(t, true));
      for (const [x, l] of fwd)
        parts.push(h('div', { class: 'arrow' }, '→', h('br'), l.similarity.toFixed(2)), node(x, false));
      const other = (links, side) =>
        (links ?? [])
          .map((l) => [themeById.get(l[side]), l])
          .filter(([x]) => x)
          .map(([x, l]) =>
            h(
              'span',
              { class: 'chip' },
              themeLink(x, `${x.quarter} ${x.name}`),
              ` ${l.similarity.toFixed(2)}`,
            ),
          );
      const earlier = other(linksTo.get(t.id), 'from');
      const later = other(linksFrom.get(t.id), 'to');
      return h(
        'section',
        { class: 'card section', id: 'theme-lineage' },
        h('h2', null, 'Lineage'),
        back.length || fwd.length
          ? h('div', { class: 'lineage' }, parts)
          : h('div', { class: 'empty' }, 'No linked theme in the chosen quarters.'),
        earlier.length ? h('div', { class: 'chips' }, 'All earlier links: ', earlier) : null,
        later.length ? h('div', { class: 'chips' }, 'All later links: ', later) : null,
      );
    }

    /** Appends the first `size` items' elements to `box`; the returned button appends the next page. */
    function pager(box, items, size, noun, renderItem) {
      const more = h('button', { class: 'more' });
      let shown = 0;
      const add = () => {
        const next = items.slice(shown, shown + size);
        box.append(...next.map(renderItem));
        shown += next.length;
        more.textContent = `Show more ${noun} (${n(items.length - shown)} left)`;
        more.hidden = shown >= items.length;
      };
      more.addEventListener('click', add);
      add();
      return more;
    }

    function firmSentimentTable(t) {
      const rows = t.firmSentiment;
      const body = h('tbody');
      const more = pager(body, rows, 50, 'firms', (r) =>
        h(
          'tr',
          null,
          h('td', null, firmLink(r.firm, t.quarter)),
          h('td', { class: 'n' }, n(r.total)),
          h('td', { class: 'n' }, n(r.positive)),
          h('td', { class: 'n' }, n(r.negative)),
          h('td', { class: 'n' }, n(r.neutral)),
          h('td', null, sentimentBar(r), ' ', scoreText(r)),
        ),
      );
      return h(
        'section',
        { class: 'card section', id: 'firm-sentiment' },
        h(
          'h2',
          null,
          'Firm-within-theme sentiment ',
          h('span', { class: 'count' }, `(${n(rows.length)} firms)`),
        ),
        rows.length
          ? [
              table(
                ['firm', 'sentences', 'positive', 'negative', 'neutral', 'sentiment'],
                ['sentences', 'positive', 'negative', 'neutral'],
                body,
              ),
              more,
            ]
          : h('div', { class: 'empty' }, 'No labelled sentences in this theme (run `callthemes sentiment`).'),
      );
    }

    function topicBlock(tp) {
      return h(
        'div',
        { class: 'topic', 'data-topic': tp.id },
        h(
          'div',
          null,
          h('span', { class: 'tname' }, tp.name),
          ' ',
          h(
            'span',
            { class: 'id' },
            `${tp.id} · ${n(tp.size)} sentences · similarity ${tp.similarity.toFixed(2)}`,
          ),
        ),
        h(
          'div',
          { class: 'chips' },
          tp.keywords.map((k) => h('span', { class: 'chip' }, k)),
        ),
        tp.sentences.length
          ? h(
              'ul',
              null,
              tp.sentences.map(([text, label]) =>
                h('li', null, label ? h('span', { class: `lbl ${label}` }, label) : null, text),
              ),
            )
          : null,
      );
    }

    function topicsByFirm(t) {
      const groups = new Map();
      for (const tp of t.topics) {
        if (!groups.has(tp.firm)) groups.set(tp.firm, []);
        groups.get(tp.firm).push(tp);
      }
      const fs = new Map(t.firmSentiment.map((r) => [r.firm, r]));
      const list = [...groups];
      const box = h('div');
      const more = pager(box, list, PAGE, 'firms', ([fi, topics]) =>
        h(
          'div',
          { class: 'firm-group', 'data-firm': data.firms[fi].id },
          h('h3', null, firmLink(fi, t.quarter), sentimentBar(fs.get(fi)), scoreText(fs.get(fi))),
          topics.map(topicBlock),
        ),
      );
      return h(
        'section',
        { class: 'card section', id: 'theme-topics' },
        h(
          'h2',
          null,
          'Member topics by firm ',
          h('span', { class: 'count' }, `(${n(t.topics.length)} topics of ${n(list.length)} firms)`),
        ),
        box,
        more,
      );
    }

    async function renderTheme(t) {
      const token = renderToken;
      view.replaceChildren(h('div', { class: 'empty' }, `Loading ${t.name}…`));
      await details(t);
      if (token !== renderToken) return;
      const s = t.sentiment;
      view.replaceChildren(
        h(
          'a',
          {
            class: 'back',
            href: hashOf({ quarter: t.quarter, query: state.query, theme: null, firm: null }),
          },
          `← all themes of ${t.quarter}`,
        ),
        h(
          'section',
          { class: 'card theme-head', id: 'theme-page', 'data-theme': t.id },
          h('h2', null, t.name),
          h('div', { class: 'id' }, `${t.id} · ${t.quarter} · named by ${t.nameSource}`),
          t.description ? h('p', null, t.description) : null,
          h(
            'div',
            { class: 'chips' },
            t.keywords.map((k) => h('span', { class: 'chip' }, k)),
          ),
          h(
            'div',
            { class: 'kv' },
            h('span', null, h('b', null, n(t.nFirms)), ' firms'),
            h('span', null, h('b', null, n(t.nTopics)), ' topics'),
            h('span', null, 'largest firm share ', h('b', null, pct(t.dominance))),
            h(
              'span',
              null,
              'sentiment ',
              sentimentBar(s),
              ' ',
              h('b', null, s ? signed(s.score) : '–'),
              s
                ? ` (${n(s.positive)} positive, ${n(s.negative)} negative, ${n(s.neutral)} neutral of ${n(s.total)})`
                : '',
            ),
          ),
        ),
        lineageChain(t),
        firmSentimentTable(t),
        topicsByFirm(t),
      );
    }

    // ---- A firm's page: its themes and topics in each chosen quarter.
    async function renderFirm(fi) {
      const token = renderToken;
      view.replaceChildren(h('div', { class: 'empty' }, `Loading ${firmLabel(fi)}…`));
      await Promise.all(quarters.flatMap((q) => (firmThemes.get(q)?.get(fi) ?? []).map(details)));
      if (token !== renderToken) return;
      const sections = [];
      for (const q of quarters) {
        const themes = firmThemes.get(q)?.get(fi) ?? [];
        sections.push(
          h(
            'section',
            { class: 'card section' },
            h('h2', null, `${q} `, h('span', { class: 'count' }, `(${themes.length} themes)`)),
            themes.length
              ? themes.map((t) => {
                  const r = t.firmSentiment.find((x) => x.firm === fi);
                  return h(
                    'div',
                    { class: 'firm-group' },
                    h('h3', null, themeLink(t), sentimentBar(r), scoreText(r)),
                    t.topics.filter((tp) => tp.firm === fi).map(topicBlock),
                  );
                })
              : h('div', { class: 'empty' }, 'In no theme this quarter.'),
          ),
        );
      }
      view.replaceChildren(
        h(
          'a',
          {
            class: 'back',
            href: hashOf({ quarter: state.quarter, query: state.query, theme: null, firm: null }),
          },
          '← all themes',
        ),
        h('section', { class: 'card theme-head', id: 'firm-page' }, h('h2', null, firmLabel(fi))),
        ...sections,
      );
    }

    function render() {
      renderToken++;
      readHash();
      renderHeader();
      destroyCharts();
      const page = state.theme
        ? renderTheme(themeById.get(state.theme))
        : state.firm !== null
          ? renderFirm(state.firm)
          : renderOverview();
      Promise.resolve(page).then(
        () => window.scrollTo(0, 0),
        (err) => {
          view.replaceChildren(h('div', { class: 'empty' }, `This page could not be built: ${err}`));
          console.error(err);
        },
      );
    }

    window.addEventListener('hashchange', render);
    render();
    // Marked after the first frame, when the virtual lists have drawn their rows.
    requestAnimationFrame(() => {
      document.documentElement.dataset.ready = String(Math.round(performance.now()));
    });
  }
})();
