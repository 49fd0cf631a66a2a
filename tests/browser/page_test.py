#!/usr/bin/python3
"""The search page in a real browser: headless Chromium driven by Selenium (Debian's chromium,
chromium-driver, python3-selenium), against an abstrakt-serve of its own on a free loopback port,
over the bundled data and tests/browser/hostile.jsonl (docs/web.md, "Tests").

Usage: page_test.py --bin BUILD/bin --data DATA_DIR [--artifacts DIR]

Every wait is for a condition of the page (its DOM, its URL, its performance entries), bounded in
time; the whole run is bounded by an alarm. Checks go on after a failure, so one run shows them all;
the last line is "N passed, N failed". Screenshots at desktop and phone width, and the timings, are
written to --artifacts.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

TOTAL_SECONDS = 300          # the whole test, browser start and indexing included
WAIT_SECONDS = 15            # one condition of the page
KEYSTROKE_BUDGET_MS = 300    # last keystroke to rendered results, debounce included (issue 18)
HERE = os.path.dirname(os.path.abspath(__file__))

passed = 0
failed = 0


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f'FAIL: {what}' + (f': {detail}' if detail else ''), flush=True)
    return ok


def section(text):
    print(f'--- {text}', flush=True)


# ------------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------------

class Server:
    """abstrakt-serve on a free port (--port 0), its log in a file; stopped by its pid."""

    def __init__(self, binary, args, log_path):
        self.log_path = log_path
        self.log = open(log_path, 'wb')
        self.proc = subprocess.Popen([binary, '--port', '0', '--threads', '2'] + args,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 20
        self.port = 0
        while time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(rb'listening on http://127\.0\.0\.1:(\d+)', open(log_path, 'rb').read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if not self.port:
            self.stop()
            raise RuntimeError('abstrakt-serve did not start: ' + open(log_path, 'rb').read().decode(errors='replace'))
        self.url = f'http://127.0.0.1:{self.port}'

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ------------------------------------------------------------------------------------------------
# The browser
# ------------------------------------------------------------------------------------------------

def chromium_binary():
    # The real binary rather than Debian's wrapper script, whose checks print to the test's output.
    for path in ('/usr/lib/chromium/chromium', '/usr/bin/chromium'):
        if os.path.exists(path):
            return path
    raise RuntimeError('chromium is not installed (scripts/setup installs it)')


def start_browser(profile_dir, lang='en-US', width=1280, height=900):
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium_binary()
    for flag in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--disable-dev-shm-usage', '--hide-scrollbars', f'--window-size={width},{height}',
                 f'--lang={lang}', f'--user-data-dir={profile_dir}'):
        opts.add_argument(flag)
    opts.add_experimental_option('prefs', {'intl.accept_languages': lang})
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=opts)
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    return driver


class Page:
    def __init__(self, driver, base):
        self.d = driver
        self.base = base

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def wait(self, script, what, *args, timeout=WAIT_SECONDS):
        """Waits until the JavaScript expression `script` (a function body returning a value) is truthy."""
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.02).until(lambda d: d.execute_script(script, *args))
        except TimeoutException:
            check(False, f'timed out waiting for {what}', self.describe())
            return None

    def describe(self):
        try:
            return json.dumps(self.js('''return {url: location.pathname + location.search,
                status: document.body.dataset.status, rendered: document.getElementById('search-view').dataset.rendered,
                error: document.getElementById('error').textContent}'''), ensure_ascii=False)
        except WebDriverException as e:
            return str(e)

    def url_of(self, **params):
        """The page's URL for a state, as the page writes it (the parameters in its order)."""
        order = ['q', 'typos', 'lang', 'year', 'cat', 'sort', 'page', 'paper']
        pairs = []
        for k in order:
            v = params.get(k)
            if v is None:
                continue
            for one in (v if isinstance(v, list) else [v]):
                pairs.append((k, str(one)))
        return '/?' + urllib.parse.urlencode(pairs) if pairs else '/'

    def wait_rendered(self, url, what):
        """Waits until the search results of the state `url` are on the page."""
        return self.wait('''return document.body.dataset.status === 'ready'
                                && document.getElementById('search-view').dataset.rendered === arguments[0]
                                && location.pathname + location.search === arguments[0];''', what, url)

    def box(self):
        return self.d.find_element(By.ID, 'q')

    def hits(self):
        return self.js('''return [...document.querySelectorAll('#results > li.hit')].map(li => ({
            id: li.dataset.id,
            title: li.querySelector('.hit-title').textContent,
            titleMarks: li.querySelectorAll('.hit-title mark').length,
            snippet: (li.querySelector('.snippet') || {}).textContent || '',
            snippetLang: (li.querySelector('.snippet') || {lang: ''}).lang,
            marks: [...li.querySelectorAll('.snippet mark')].map(m => m.textContent),
            date: (li.querySelector('time') || {}).dateTime || '',
            langs: [...li.querySelectorAll('.langs li')].map(l => l.textContent),
            links: [...li.querySelectorAll('a')].map(a => a.getAttribute('href')),
        }));''')

    def status_text(self):
        return self.d.find_element(By.ID, 'status').text

    def type_slowly(self, text, wait_each=True):
        """Types `text` one letter at a time; with wait_each, waits for each prefix's results."""
        el = self.box()
        typed = el.get_attribute('value')
        for ch in text:
            el.send_keys(ch)
            typed += ch
            if wait_each:
                self.wait_rendered(self.url_of(q=typed), f'results for the prefix {typed!r}')
        return typed

    def clear_box(self):
        el = self.box()
        el.send_keys(Keys.CONTROL, 'a')
        el.send_keys(Keys.DELETE)

    def measures(self, name):
        return self.js('return performance.getEntriesByName(arguments[0]).map(e => e.duration);', name)

    def console_errors(self, allowed=()):
        entries = self.d.get_log('browser')
        return [e['message'] for e in entries
                if e.get('level') == 'SEVERE' and not any(a in e['message'] for a in allowed)]

    def screenshot(self, path):
        self.d.save_screenshot(path)
        print(f'screenshot: {path}', flush=True)


# Wraps the page's fetch: the fields of window.__stub.search are put into /search's responses (hit0
# and hit1 into its first two hits), those of window.__stub.suggest into /suggest's. The first hit's
# plain title is kept in window.__plainTitle1 for the fallback check.
STUB_FETCH = '''window.__stub = {}; const realFetch = window.fetch;
    window.fetch = async (url, opts) => {
      const res = await realFetch(url, opts);
      const u = String(url);
      const stub = u.startsWith('/search?') ? window.__stub.search : u.startsWith('/suggest?') ? window.__stub.suggest : null;
      if (!stub) return res;
      const data = await res.json();
      const {hit0, hit1, ...fields} = stub;
      Object.assign(data, fields);
      if (hit0 && data.hits && data.hits[0]) Object.assign(data.hits[0], hit0);
      if (hit1 && data.hits && data.hits[1]) {
        window.__plainTitle1 = data.hits[1].title;
        Object.assign(data.hits[1], hit1);
      }
      return new Response(JSON.stringify(data), {status: res.status, headers: {'Content-Type': 'application/json'}});
    };'''

# Wraps the page's fetch: the URLs of /search requests are kept in window.__searches.
RECORD_SEARCHES = '''window.__searches = []; const realFetch = window.fetch;
    window.fetch = (url, opts) => { if (String(url).startsWith('/search?')) window.__searches.push(String(url)); return realFetch(url, opts); };'''

# The notices as shown, and what the contract's checks look at beside them.
READ_NOTICES = '''const hits = document.querySelectorAll('#results li.hit');
    return {notices: [...document.querySelectorAll('#notices .notice')].map(e => ({text: e.textContent, code: e.dataset.code || null, lang: e.lang})),
            links: [...document.querySelectorAll('#notices a')].map(a => a.getAttribute('href')),
            translationLangs: [...document.querySelectorAll('#notices .translation-item')]
                .map(e => [e.querySelector('.translation').lang, (e.querySelector('.translation-word') || {}).lang]),
            detailLang: [...document.querySelectorAll('#notices .notice-detail')].map(e => e.lang),
            titleHtml: hits[0] ? hits[0].querySelector('.hit-title a').innerHTML : '',
            title1: hits[1] ? hits[1].querySelector('.hit-title a').textContent : '',
            plainTitle1: window.__plainTitle1 || '',
            langs: [...hits].slice(0, 2).map(h => [...h.querySelectorAll('.langs li')].map(l => l.textContent)),
            pager: document.querySelectorAll('#pager a').length, pwned: window.__pwned || 0};'''


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


# ------------------------------------------------------------------------------------------------
# The test
# ------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--artifacts', default='')
    args = ap.parse_args()

    def on_alarm(signum, frame):
        raise TimeoutError(f'the browser test took longer than {TOTAL_SECONDS} s')
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TOTAL_SECONDS)

    tmp = tempfile.mkdtemp(prefix='abstrakt-browser.')
    artifacts = args.artifacts or os.path.join(tmp, 'artifacts')
    os.makedirs(artifacts, exist_ok=True)
    servers = []
    drivers = []
    try:
        run(args, tmp, artifacts, servers, drivers)
    except Exception as e:  # a crash of the test itself is a failure, with what it was
        check(False, 'the test stopped early', f'{type(e).__name__}: {e}')
    finally:
        signal.alarm(0)
        for d in drivers:
            try:
                d.quit()
            except Exception:
                pass
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'{passed} passed, {failed} failed', flush=True)
    return 1 if failed or not passed else 0


def run(args, tmp, artifacts, servers, drivers):
    index_bin = os.path.join(args.bin, 'abstrakt-index')
    serve_bin = os.path.join(args.bin, 'abstrakt-serve')
    db = os.path.join(tmp, 'index')
    hostile = os.path.join(HERE, 'hostile.jsonl')

    section('index the bundled data and tests/browser/hostile.jsonl; start abstrakt-serve')
    subprocess.run([index_bin, '--db', db, 'add', os.path.join(args.data, 'seed', 'chatpaper-2024-02-29.jsonl'),
                    os.path.join(args.data, 'arxiv-slice.jsonl.gz'), hostile],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    server = Server(serve_bin, ['--db', db, '--quiet'], os.path.join(tmp, 'serve.log'))
    servers.append(server)
    base = server.url

    driver = start_browser(os.path.join(tmp, 'profile'))
    drivers.append(driver)
    p = Page(driver, base)

    section('the page loads with its landmarks and labels, and no search')
    driver.get(base + '/')
    p.wait_rendered('/', 'the empty page')
    landmarks = p.js('''return {
        search: !!document.querySelector('form[role=search]'), main: !!document.querySelector('main'),
        label: document.querySelector('label[for=q]') !== null, live: document.getElementById('status').getAttribute('aria-live'),
        combobox: document.getElementById('q').getAttribute('role'), lang: document.documentElement.lang,
        welcome: !document.getElementById('welcome').hidden, focused: document.activeElement.id};''')
    check(landmarks['search'] and landmarks['main'] and landmarks['label'], 'search landmark, main landmark, label', landmarks)
    check(landmarks['live'] == 'polite' and landmarks['combobox'] == 'combobox', 'live region and combobox', landmarks)
    check(landmarks['lang'] == 'en' and landmarks['welcome'], 'English interface, welcome text', landmarks)
    check(landmarks['focused'] == 'q', 'the search box has the focus', landmarks)
    history_start = p.js('return history.length;')

    section('typing letter by letter: the results follow each prefix')
    typed = p.type_slowly('diffusion')
    hits = p.hits()
    check(len(hits) == 10, '10 hits for diffusion', len(hits))
    check(all(any(m.lower().startswith('diffusion') for m in h['marks']) for h in hits[:3]),
          'the first snippets highlight diffusion', [h['marks'] for h in hits[:3]])
    api = get_json(base + '/search?q=diffusion&limit=10&facets=1')
    check([h['id'] for h in hits] == [h['id'] for h in api['hits']], 'the hits are the API\'s, in its order')
    check(str(api['total']) in p.status_text().replace(',', ''), 'the status says the total', p.status_text())
    check(p.js('return history.length;') == history_start + 1, 'typing made one history entry, not one a letter',
          p.js('return history.length;'))
    typing_ms = p.measures('abstrakt:keystroke-to-render')
    text = p.js("return document.getElementById('main').innerText;")
    check(not re.search(r'\b(null|undefined|NaN|\[object Object\])\b', text), 'no null, undefined or NaN in the results', text[:300])

    section('a stale response never overwrites a newer one')
    # A fetch for "diffusion m" that ignores its abort and answers 600 ms late, after the one for
    # "diffusion mo" has been rendered.
    p.js('''window.__late = 0; const realFetch = window.fetch;
        window.fetch = (url, opts) => {
          if (String(url).includes('q=diffusion+m&')) {
            const late = realFetch(url).then(r => new Promise(res => setTimeout(() => { window.__late = 1; res(r); }, 600)));
            return late;
          }
          return realFetch(url, opts);
        };''')
    p.box().send_keys(' m')
    p.wait("return window.__late === 0 && location.search === '?q=diffusion+m';", 'the search for "diffusion m"')
    p.box().send_keys('o')
    p.wait_rendered(p.url_of(q='diffusion mo'), 'results for "diffusion mo"')
    p.wait('return window.__late === 1;', 'the late response of "diffusion m"')
    driver.execute_async_script('setTimeout(arguments[0], 100);')  # the page's handling of it
    check(p.js("return document.getElementById('search-view').dataset.rendered;") == p.url_of(q='diffusion mo'),
          'the late response was dropped', p.describe())
    p.js('location.reload();')
    p.wait_rendered(p.url_of(q='diffusion mo'), 'the page reloaded from its URL')
    check(p.box().get_attribute('value') == 'diffusion mo', 'the box holds the query of the URL')

    section('completions: arrows, Enter, Escape')
    p.clear_box()
    p.wait_rendered('/', 'the empty search')
    p.box().send_keys('transfor')
    p.wait('''return !document.getElementById('completions').hidden
              && document.querySelectorAll('#completions [role=option]').length > 1;''', 'completions for "transfor"')
    options = p.js("return [...document.querySelectorAll('#completions [role=option]')].map(o => o.textContent);")
    want = get_json(base + '/suggest?q=transfor&limit=8')['suggestions']
    check(options == [s for s in want if s.strip().lower() != 'transfor'], 'the completions are /suggest\'s', options)
    p.box().send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    sel = p.js('''const q = document.getElementById('q');
        return {active: q.getAttribute('aria-activedescendant'),
                selected: [...document.querySelectorAll('#completions [aria-selected=true]')].map(o => o.textContent)};''')
    check(sel['active'] == 'completion-1' and sel['selected'] == [options[1]], 'ArrowDown twice selects the second', sel)
    p.box().send_keys(Keys.ARROW_UP)
    check(p.js("return document.getElementById('q').getAttribute('aria-activedescendant');") == 'completion-0', 'ArrowUp goes back')
    p.box().send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    p.wait_rendered(p.url_of(q=options[1]), f'results for the completion {options[1]!r}')
    check(p.box().get_attribute('value') == options[1], 'Enter puts the completion in the box')
    check(p.js("return document.getElementById('completions').hidden;"), 'Enter closes the completions')
    p.box().send_keys(' l')
    p.wait("return !document.getElementById('completions').hidden;", 'completions for a second word')
    p.box().send_keys(Keys.ESCAPE)
    check(p.js("return document.getElementById('completions').hidden;"), 'Escape closes the completions')
    check(p.box().get_attribute('value') == options[1] + ' l', 'Escape leaves the text as typed', p.box().get_attribute('value'))

    section('facets: click, combine, remove; sort; pages')
    p.clear_box()
    p.type_slowly('diffusion', wait_each=False)
    p.wait_rendered(p.url_of(q='diffusion'), 'results for diffusion')
    p.box().send_keys(Keys.ESCAPE)  # the completions would cover the facets
    year = p.js('''const b = document.querySelector('.facet[data-facet=year] .facet-value'); return b && b.dataset.value;''')
    check(bool(year), 'a year facet')
    driver.find_element(By.CSS_SELECTOR, f'.facet[data-facet=year] .facet-value[data-value="{year}"]').click()
    p.wait_rendered(p.url_of(q='diffusion', year=year), f'results for diffusion in {year}')
    dates = [h['date'] for h in p.hits()]
    check(dates and all(d.startswith(year) for d in dates), f'every hit is of {year}', dates)
    api = get_json(base + f'/search?q=diffusion&from={year}&to={year}&limit=10&facets=1')
    check(str(api['total']) in p.status_text().replace(',', ''), 'the count of the year is the API\'s', p.status_text())
    check(p.js(f'''return document.querySelector('.facet-value[data-value="{year}"]').getAttribute('aria-pressed');''') == 'true',
          'the year facet is pressed')
    # The keyboard alone: Enter on a focused facet, and the focus stays on it in the new results.
    cv = driver.find_element(By.CSS_SELECTOR, '.facet[data-facet=category] .facet-value[data-value="cs.CV"]')
    p.js('arguments[0].focus();', cv)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    p.wait_rendered(p.url_of(q='diffusion', year=year, cat='cs.CV'), 'results for diffusion, year and cs.CV')
    check(p.js('return document.activeElement.dataset.focusKey;') == 'facet:category:cs.CV', 'the focus stays on the facet',
          p.js('return document.activeElement.outerHTML.slice(0, 120);'))
    chips = p.js("return [...document.querySelectorAll('#active-filters .chip')].map(c => c.getAttribute('aria-label'));")
    check(any(year in c for c in chips) and any('cs.CV' in c for c in chips), 'two filter chips and a clear-all', chips)
    driver.find_element(By.CSS_SELECTOR, f'#active-filters .chip[aria-label*="{year}"]').click()
    p.wait_rendered(p.url_of(q='diffusion', cat='cs.CV'), 'the year filter removed')
    api = get_json(base + '/search?q=diffusion&cat=cs.CV&limit=10')
    check([h['id'] for h in p.hits()] == [h['id'] for h in api['hits']], 'hits of diffusion in cs.CV')
    driver.find_element(By.CSS_SELECTOR, '#active-filters .chip').click()
    p.wait_rendered(p.url_of(q='diffusion'), 'the category filter removed')
    # A language, then a category; "Clear all" removes both.
    lang = p.js("return document.querySelector('.facet[data-facet=lang] .facet-value').dataset.value;")
    driver.find_element(By.CSS_SELECTOR, f'.facet[data-facet=lang] .facet-value[data-value="{lang}"]').click()
    p.wait_rendered(p.url_of(q='diffusion', lang=lang), f'results for diffusion in {lang}')
    langs = [h['langs'] for h in p.hits()]
    check(langs and all(lang in l for l in langs), f'every hit has {lang}', langs)
    cat = p.js("return document.querySelector('.facet[data-facet=category] .facet-value').dataset.value;")
    driver.find_element(By.CSS_SELECTOR, f'.facet[data-facet=category] .facet-value[data-value="{cat}"]').click()
    p.wait_rendered(p.url_of(q='diffusion', lang=lang, cat=cat), f'results for diffusion in {lang} and {cat}')
    driver.find_element(By.CSS_SELECTOR, '#active-filters .chip.clear').click()
    p.wait_rendered(p.url_of(q='diffusion'), '"Clear all" removes both filters')

    Select(driver.find_element(By.ID, 'sort')).select_by_value('date')
    p.wait_rendered(p.url_of(q='diffusion', sort='date'), 'results by date')
    dates = [h['date'] for h in p.hits()]
    check(len(dates) == 10 and dates == sorted(dates, reverse=True), 'newest first', dates)
    page1 = [h['id'] for h in p.hits()]
    nxt = driver.find_element(By.CSS_SELECTOR, '#pager a.next')
    nxt.send_keys(Keys.ENTER)  # the keyboard alone
    p.wait_rendered(p.url_of(q='diffusion', sort='date', page=2), 'page 2')
    check(p.js('return document.activeElement.dataset.focusKey;') == 'page:next', 'the focus stays on Next')
    page2 = [h['id'] for h in p.hits()]
    api = get_json(base + '/search?q=diffusion&sort=date&offset=10&limit=10')
    check(page2 == [h['id'] for h in api['hits']] and not set(page1) & set(page2), 'page 2 is the API\'s second page', page2)
    check(p.js("return document.getElementById('results').start;") == 11, 'page 2 is numbered from 11')
    check(p.js("return document.querySelector('#pager [aria-current=page]').textContent;") == '2', 'page 2 is current')

    section('a paper, one of its similar papers, and back to the search')
    Select(driver.find_element(By.ID, 'sort')).select_by_value('relevance')
    p.wait_rendered(p.url_of(q='diffusion'), 'results by relevance')
    search_hits = [h['id'] for h in p.hits()]
    history_before = p.js('return history.length;')
    first = search_hits[0]
    driver.find_element(By.CSS_SELECTOR, f'#results li[data-id="{first}"] .paper-link').click()
    p.wait('return document.getElementById("paper").dataset.rendered === arguments[0] && !document.getElementById("paper").hidden;',
           'the paper view', first)
    check(driver.current_url.endswith(p.url_of(q='diffusion', paper=first)), 'the URL names the paper', driver.current_url)
    record = get_json(base + '/papers/' + urllib.parse.quote(first, safe=''))
    view = p.js('''const a = document.getElementById('paper');
        return {h1: a.querySelector('h1').textContent, focused: document.activeElement === a.querySelector('h1'),
                langs: [...a.querySelectorAll('.paper-lang')].map(s => s.lang),
                titles: [...a.querySelectorAll('.paper-lang-title')].map(s => s.textContent),
                abstracts: [...a.querySelectorAll('.paper-lang')].map(s => [...s.querySelectorAll('p')].map(p => p.textContent).join(' ')),
                similar: [...a.querySelectorAll('.similar-list li')].map(li => li.dataset.id)};''')
    titles = record['title']
    check(view['h1'] == next(iter(titles.values())), 'the heading is the first title', view['h1'])
    langs = list(dict.fromkeys(list(titles) + list(record.get('abstract', {}))))
    check(view['langs'] == langs, 'a section for each language of the paper', view['langs'])
    check(all(t in view['titles'] for t in titles.values()), 'every title shown', view['titles'])
    for lang, text in record.get('abstract', {}).items():
        words = ' '.join(text.split())
        check(words[:60] in view['abstracts'][langs.index(lang)], f'the {lang} abstract shown')
    check(view['focused'], 'the focus is on the paper\'s heading')
    text = p.js("return document.getElementById('paper').innerText;")
    check(not re.search(r'\b(null|undefined|NaN|\[object Object\])\b', text), 'no null, undefined or NaN in the paper\'s view', text[:300])
    width = p.js("return document.getElementById('paper').getBoundingClientRect().width;")
    check(width > 600, 'the paper uses the page\'s width at desktop width', width)
    check(driver.title == view['h1'] + ' – Abstrakt', 'the window title is the paper\'s', driver.title)
    p.screenshot(os.path.join(artifacts, 'desktop-paper.png'))
    sim = get_json(base + '/papers/' + urllib.parse.quote(first, safe='') + '/similar?limit=5')
    check(view['similar'] == [h['id'] for h in sim['hits']] and view['similar'], 'its similar papers', view['similar'])
    other = view['similar'][0]
    driver.find_element(By.CSS_SELECTOR, f'.similar-list li[data-id="{other}"] a').click()
    p.wait('return document.getElementById("paper").dataset.rendered === arguments[0];', 'the similar paper', other)
    driver.back()
    p.wait('return document.getElementById("paper").dataset.rendered === arguments[0];', 'back to the first paper', first)
    driver.back()
    p.wait_rendered(p.url_of(q='diffusion'), 'back to the search')
    check([h['id'] for h in p.hits()] == search_hits, 'the previous search is restored', p.hits()[:1])
    check(p.box().get_attribute('value') == 'diffusion', 'with its query in the box')
    check(p.js('return history.length;') == history_before + 2, 'each paper was one history entry')
    driver.back()
    p.wait_rendered(p.url_of(q='diffusion', sort='date', page=2), 'back to page 2 by date')

    section('German and Chinese queries, highlighted')
    driver.get(base + p.url_of(q='Diffusionsmodell'))
    p.wait_rendered(p.url_of(q='Diffusionsmodell'), 'results for Diffusionsmodell')
    hits = p.hits()
    check(len(hits) >= 2 and all(h['snippetLang'] == 'de' for h in hits[:2]), 'German snippets', [h['snippetLang'] for h in hits])
    check(all(any(m.startswith('Diffusionsmodell') for m in h['marks']) for h in hits[:2]), 'Diffusionsmodell highlighted',
          [h['marks'] for h in hits[:2]])
    driver.get(base + p.url_of(q='扩散模型'))
    p.wait_rendered(p.url_of(q='扩散模型'), 'results for 扩散模型')
    hits = p.hits()
    check(len(hits) == 10 and hits[0]['snippetLang'] == 'zh', 'Chinese snippets', [h['snippetLang'] for h in hits[:3]])
    check(all(set(''.join(h['marks'])) & set('扩散模型') for h in hits[:5]), 'the Chinese words highlighted',
          [h['marks'] for h in hits[:5]])
    check(any('扩散' in h['title'] for h in hits), 'Chinese titles shown')

    section('an input method: nothing is searched while it composes, the composed word is')
    driver.get(base + '/')
    p.wait_rendered('/', 'the empty page')
    p.box().click()
    driver.execute_cdp_cmd('Input.imeSetComposition', {'text': 'kuosan', 'selectionStart': 6, 'selectionEnd': 6})
    p.wait("return document.getElementById('q').value === 'kuosan';", 'the composition in the box')
    driver.execute_async_script('setTimeout(arguments[0], 2 * 150 + 100);')  # past the debounce
    check(p.js("return location.search === '' && document.getElementById('search-view').dataset.rendered === '/';"),
          'no search while composing', p.describe())
    driver.execute_cdp_cmd('Input.insertText', {'text': '扩散'})
    p.wait_rendered(p.url_of(q='扩散'), 'the composed word searched')

    section('hostile records show their markup as text')
    driver.get(base + p.url_of(q='zyxquorp'))
    p.wait_rendered(p.url_of(q='zyxquorp'), 'results for zyxquorp')
    hits = {h['id']: h for h in p.hits()}
    check('hostile-1' in hits and '<script>window.__pwned = 1</script>' in hits['hostile-1']['title'],
          'the <script> title is shown as text', hits.get('hostile-1'))
    check('hostile-2' in hits and 'onerror="window.__pwned = 3"' in hits['hostile-2']['title'],
          'the <img onerror> title is shown as text', hits.get('hostile-2'))
    if 'hostile-2' in hits:
        check('<img src=x onerror=alert(1)>' in hits['hostile-2']['snippet'] and '<mark>not a highlight</mark>' in hits['hostile-2']['snippet'],
              'markup in a snippet other than the highlights is text', hits['hostile-2']['snippet'])
    injected = p.js('''return {scripts: document.querySelectorAll('main script, main img, main b').length,
                               pwned: window.__pwned === undefined ? null : window.__pwned,
                               js: [...document.querySelectorAll('a[href]')].filter(a => !/^(https?:|\\/|#)/.test(a.getAttribute('href'))).length};''')
    check(injected == {'scripts': 0, 'pwned': None, 'js': 0}, 'no element, script or javascript: link from the records', injected)
    driver.find_element(By.CSS_SELECTOR, '#results li[data-id="hostile-1"] .paper-link').click()
    p.wait('return document.getElementById("paper").dataset.rendered === "hostile-1";', 'the hostile paper')
    check('<script>' in p.js("return document.querySelector('#paper h1').textContent;"), 'its heading is text')
    check(p.js("return document.querySelectorAll('#paper script, #paper img, #paper b').length + (window.__pwned || 0);") == 0,
          'nothing of it ran or rendered as markup')

    section('dom.js: highlights from an allow-list, links only to http(s)')
    cases = p.d.execute_async_script('''
        const done = arguments[arguments.length - 1];
        import('/ui/dom.js').then(m => {
          const render = (html) => { const d = document.createElement('div'); d.append(m.highlighted(html));
                                     return [d.innerHTML, d.textContent]; };
          done({
            plain: render('a &lt;b&gt; &amp; c'),
            marks: render('x <mark>y</mark> z'),
            script: render('<script>alert(1)</script>'),
            img: render('<img src=x onerror=alert(1)>'),
            nested: render('<mark><mark>a</mark>b</mark>'),
            numeric: render('&#60;i&#x3e; &#0; &bogus;'),
            attrs: render('<mark onclick="x()">a</mark>'),
            urls: ['https://arxiv.org/abs/1', 'http://x.example/', 'javascript:alert(1)', 'JaVaScRiPt:x', 'data:text/html,x',
                   ' javascript:x', 'vbscript:x', '', '/search?q=x', 'abs/1', '//a.example/x'].map(m.safeUrl),
            ids: [['2402.19173', null], ['hep-th/9901001', null], ['chatpaper-1', null], ['x', 'javascript:x'], ['y', 'https://a.example/y']]
                   .map(([id, url]) => m.arxivUrl(id, url)),
          });
        }, e => done({error: String(e)}));''')
    check(cases.get('plain') == ['a &lt;b&gt; &amp; c', 'a <b> & c'], 'escaped text decoded and kept as text', cases.get('plain'))
    check(cases.get('marks') == ['x <mark>y</mark> z', 'x y z'], '<mark> kept', cases.get('marks'))
    check(cases.get('script') == ['&lt;script&gt;alert(1)&lt;/script&gt;', '<script>alert(1)</script>'], '<script> is text', cases.get('script'))
    check(cases.get('img', [''])[0].startswith('&lt;img'), '<img onerror> is text', cases.get('img'))
    check(cases.get('nested') == ['<mark>a</mark>b', 'ab'], 'nested marks do not nest', cases.get('nested'))
    check(cases.get('numeric') == ['&lt;i&gt; &amp;#0; &amp;bogus;', '<i> &#0; &bogus;'], 'numeric references; bad ones stay', cases.get('numeric'))
    check(cases.get('attrs', [''])[0] == '&lt;mark onclick="x()"&gt;a', 'a <mark> with attributes is text', cases.get('attrs'))
    check(cases.get('urls') == ['https://arxiv.org/abs/1', 'http://x.example/', None, None, None, None, None, None, None, None, None],
          'only absolute http(s) URLs become links', cases.get('urls'))
    check(cases.get('ids') == ['https://arxiv.org/abs/2402.19173', 'https://arxiv.org/abs/hep-th/9901001', None, None,
                               'https://a.example/y'], 'arXiv links from ids', cases.get('ids'))

    section('the response contract: corrected, translations, notice codes, has_more, title_highlighted, langs, partial')
    # The page's fetch is wrapped to put the fields of window.__stub into this server's real
    # responses (docs/http-api.md's shapes), for what the bundled data does not make the server say.
    driver.get(base + '/')
    p.wait_rendered('/', 'the empty page')
    p.js(STUB_FETCH)
    p.js('''window.__stub = {search: {
        corrected: 'diffusion model', suggestion: 'never shown beside corrected', has_more: false,
        translations: [{word: 'Diffusionsmodell', lang: 'de', to: 'en', as: ['diffusion model']},
                       {word: '扩散', lang: 'zh', to: 'en', as: ['diffusion', 'spread']},
                       {word: 'x', lang: 'de', to: 'en', as: []}, 'a string', {word: 'y', as: 'not a list'}],
        notices: [{code: 'query_unparsed', message: 'the query did not parse (unmatched quote); searched for its words instead'},
                  {code: 'no_words', message: 'm'}, {code: 'some_words', message: 'm'},
                  {code: 'unknown_field', message: 'foo:bar searched as text'},
                  {code: 'invalid_filter', message: 'year:abc is not a year'},
                  {code: 'corrected', message: 'shown by the corrected field'}, {code: 'translated', message: 'shown by translations'},
                  {code: 'record_unreadable', message: 'a stored record could not be read (bad JSON); rebuild the index'},
                  {code: 'a_new_code', message: 'a <b>new</b> notice'}, 'a plain string', {code: 'no_text_for_it'}, null],
        partial: true, missing_shards: ['shard-2', 7],
        hit0: {title_highlighted: '<mark>Diffusion</mark> &amp; <img src=x onerror="window.__pwned=4">', langs: ['de', 'en', 'zh']},
        hit1: {title_highlighted: '', langs: null}}};''')
    p.box().send_keys('diffusion')
    p.wait_rendered(p.url_of(q='diffusion'), 'results with the stubbed fields')
    got = p.js(READ_NOTICES)
    notices = got['notices']
    check(notices[:1] == [{'text': 'Showing results for diffusion model. Search instead for diffusion', 'code': None, 'lang': ''}],
          '"showing results for", and the query as typed', notices[:1])
    check(got['links'] == [p.url_of(q='diffusion', typos=0)], 'a link to the query as typed (typos=0), and no "did you mean" beside it',
          got['links'])
    check(notices[1:2] == [{'text': 'Also searched: diffusion model (for Diffusionsmodell); diffusion, spread (for 扩散)', 'code': None, 'lang': ''}],
          '"also searched": each word\'s translations; malformed entries left out', notices[1:2])
    check(got['translationLangs'] == [['en', 'de'], ['en', 'zh']], 'each translation and its word carry their language',
          got['translationLangs'])
    want = [
        ('The query could not be read as search syntax; its words were searched instead. '
         '(the query did not parse (unmatched quote); searched for its words instead)', 'query_unparsed', ''),
        ('The query has no words to search for.', 'no_words', ''),
        ('No paper matches every word; showing papers that match some.', 'some_words', ''),
        ('A field that the search does not know was searched as text. (foo:bar searched as text)', 'unknown_field', ''),
        ('A filter whose value is not valid was left out. (year:abc is not a year)', 'invalid_filter', ''),
        ('A paper could not be read; the index needs to be rebuilt. (a stored record could not be read (bad JSON); rebuild the index)',
         'record_unreadable', ''),
        ('a <b>new</b> notice', 'a_new_code', 'en'),
        ('Partial results: part of the collection did not answer (shard-2); its papers are missing.', None, ''),
    ]
    check(notices[2:] == [{'text': t, 'code': c, 'lang': l} for t, c, l in want],
          'each notice code in its own words, the message as detail or for an unknown code; corrected and translated '
          'not repeated; a plain string, a code without text, null: nothing; partial results', notices[2:])
    check(got['detailLang'] == ['en'] * 4, 'the English detail is marked English', got['detailLang'])
    check(got['titleHtml'] == '<mark>Diffusion</mark> &amp; &lt;img src=x onerror="window.__pwned=4"&gt;' and got['pwned'] == 0,
          'title_highlighted: the marks kept, the rest text', got['titleHtml'])
    check(got['title1'] and got['title1'] == got['plainTitle1'], 'an empty title_highlighted falls back to the title',
          [got['title1'], got['plainTitle1']])
    check(got['langs'] == [['de', 'en', 'zh'], []], 'langs shown; none when langs is not a list', got['langs'])
    check(got['pager'] == 0, 'has_more false: no next page', got['pager'])

    p.js('''window.__stub = {search: {corrected: null, suggestion: 'diffusion models', translations: [],
        notices: [{code: 'corrected', message: 'x'}, {code: 'translated', message: 'y'}], has_more: true, partial: false}};''')
    p.box().send_keys(' ')
    p.wait_rendered(p.url_of(q='diffusion '), 'results with a suggestion')
    got = p.js(READ_NOTICES)
    check([n['text'] for n in got['notices']] == ['Did you mean: diffusion models', 'Misspelt words were also searched as their corrections.',
                                                 'Words were also searched in another language.'],
          '"did you mean"; the corrected and translated notices said when their fields are empty', got['notices'])
    check(got['links'] == [p.url_of(q='diffusion models')], 'the suggestion is a link that searches it', got['links'])
    check(got['pager'] > 0, 'has_more true: pages', got['pager'])
    driver.find_element(By.CSS_SELECTOR, '#notices .suggestion a').click()
    p.wait_rendered(p.url_of(q='diffusion models'), 'the suggestion searched')
    check(p.box().get_attribute('value') == 'diffusion models', 'the suggestion is put in the box')

    section('completions in their display form')
    p.js('''window.__stub = {suggest: {suggestions: ['Diffusion', 'Diffusionsmodell für Bilder', 'diffusion-Based Planning', 42, '']}};''')
    p.clear_box()
    p.wait_rendered('/', 'the empty search')
    p.box().send_keys('diffusion')
    p.wait("return !document.getElementById('completions').hidden;", 'the stubbed completions')
    shown = p.js("return [...document.querySelectorAll('#completions [role=option]')].map(o => o.textContent);")
    check(shown == ['Diffusionsmodell für Bilder', 'diffusion-Based Planning'],
          'completions shown as sent; the text as typed (but for case) and non-strings left out', shown)
    p.box().send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    p.wait_rendered(p.url_of(q='Diffusionsmodell für Bilder'), 'the display form searched')
    check(p.box().get_attribute('value') == 'Diffusionsmodell für Bilder', 'the display form is put in the box')
    p.js('window.__stub = {};')

    section('"Search instead for": the query as typed, typos=0 in the URL and the request; a new query is corrected again')
    # On this index "transfromer" is searched as "transformer" (corrected); with typos=0 it finds
    # nothing and the API suggests "transformer".
    misspelt = 'transfromer'
    driver.get(base + p.url_of(q=misspelt))
    p.wait_rendered(p.url_of(q=misspelt), f'results for {misspelt}')
    api = get_json(base + f'/search?q={misspelt}&limit=10&facets=1')
    typed = get_json(base + f'/search?q={misspelt}&typos=0&limit=10&facets=1')
    check(api['corrected'] == 'transformer' and api['total'] > 0 and typed['corrected'] is None and typed['total'] == 0,
          f'the API corrects {misspelt}, and not with typos=0', [api['corrected'], api['total'], typed['corrected'], typed['total']])
    got = p.js(READ_NOTICES)
    check(got['links'] == [p.url_of(q=misspelt, typos=0)], '"Search instead for" links to the query with typos=0', got['links'])
    p.js(RECORD_SEARCHES)
    driver.find_element(By.CSS_SELECTOR, '#notices .corrected a').click()
    p.wait_rendered(p.url_of(q=misspelt, typos=0), 'the query as typed searched')
    sent = p.js('return window.__searches;')
    check(len(sent) == 1 and 'typos=0' in sent[0].split('?')[1].split('&'), 'its /search request carries typos=0', sent)
    got = p.js(READ_NOTICES)
    check(not p.hits() and [n['text'] for n in got['notices']] == ['Did you mean: transformer'],
          'no correction: no results and "did you mean", as the API says with typos=0', [p.hits()[:1], got['notices']])
    check(got['links'] == [p.url_of(q='transformer')], '"did you mean" is a new query, corrected again', got['links'])
    Select(driver.find_element(By.ID, 'sort')).select_by_value('date')
    p.wait_rendered(p.url_of(q=misspelt, typos=0, sort='date'), 'a sort keeps typos=0')
    driver.back()
    p.wait_rendered(p.url_of(q=misspelt, typos=0), 'back to the query as typed')
    driver.back()
    p.wait_rendered(p.url_of(q=misspelt), 'back to the corrected search')
    check([n['text'] for n in p.js(READ_NOTICES)['notices']][:1] ==
          [f'Showing results for transformer. Search instead for {misspelt}'], 'the back button: corrected again', p.js(READ_NOTICES))
    driver.forward()
    p.wait_rendered(p.url_of(q=misspelt, typos=0), 'forward to the query as typed')
    driver.get(base + p.url_of(q=misspelt, typos=0))  # a bookmark: the URL alone
    p.wait_rendered(p.url_of(q=misspelt, typos=0), 'the query as typed, from its URL')
    check(not p.hits() and p.box().get_attribute('value') == misspelt, 'reloaded: still not corrected, the query in the box')
    p.js(RECORD_SEARCHES)
    p.box().send_keys('s')
    p.wait_rendered(p.url_of(q=misspelt + 's'), 'a new query typed: typos=0 dropped')
    sent = p.js('return window.__searches;')
    check(sent and not any('typos=' in u for u in sent), 'its requests carry no typos', sent)
    check(p.js("return !!document.querySelector('#notices .corrected');"), 'the new query is corrected again', p.js(READ_NOTICES))

    section('no console errors in all of the above')
    errors = p.console_errors()
    check(not errors, 'no console errors', errors)

    section('time from the last keystroke, and from the response, to rendered results')
    driver.get(base + '/')
    p.wait_rendered('/', 'the empty page')
    p.js('performance.clearMeasures();')
    for word in ('attention', 'robot', 'retrieval', 'graph', 'language', 'vision', 'agent', 'speech'):
        p.clear_box()
        p.wait_rendered('/', 'the empty search')
        p.type_slowly(word, wait_each=False)
        p.wait_rendered(p.url_of(q=word), f'results for {word}')
        p.wait('return performance.getEntriesByName("abstrakt:keystroke-to-render").some(e => e.detail.q === arguments[0]);',
               f'the timing of {word}', word)
    keystroke = p.measures('abstrakt:keystroke-to-render')
    response = p.measures('abstrakt:response-to-render')
    timings = {
        'keystroke_to_render_ms': summary(keystroke),
        'response_to_render_ms': summary(response),
        'keystroke_to_render_while_typing_ms': summary(typing_ms),
        'debounce_ms': 150,
    }
    print('timings: ' + json.dumps(timings), flush=True)
    with open(os.path.join(artifacts, 'timings.json'), 'w') as f:
        json.dump(timings, f, indent=2)
    check(len(keystroke) >= 8, 'a timing for each of the 8 queries', keystroke)
    if keystroke:
        check(statistics.median(keystroke) < KEYSTROKE_BUDGET_MS, f'median last keystroke to results under {KEYSTROKE_BUDGET_MS} ms',
              timings['keystroke_to_render_ms'])

    section('screenshots: desktop and phone width, light and dark')
    driver.get(base + p.url_of(q='diffusion model', cat='cs.CV'))
    p.wait_rendered(p.url_of(q='diffusion model', cat='cs.CV'), 'results for the screenshot')
    p.screenshot(os.path.join(artifacts, 'desktop.png'))
    driver.execute_cdp_cmd('Emulation.setEmulatedMedia', {'features': [{'name': 'prefers-color-scheme', 'value': 'dark'}]})
    check(p.js("return getComputedStyle(document.body).backgroundColor;") != 'rgb(255, 255, 255)', 'dark mode changes the colours')
    p.screenshot(os.path.join(artifacts, 'desktop-dark.png'))
    driver.execute_cdp_cmd('Emulation.setEmulatedMedia', {'features': [{'name': 'prefers-color-scheme', 'value': 'light'}]})
    driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {'width': 390, 'height': 844, 'deviceScaleFactor': 2, 'mobile': True})
    driver.get(base + p.url_of(q='Diffusionsmodell'))
    p.wait_rendered(p.url_of(q='Diffusionsmodell'), 'results at phone width')
    overflow = p.js('return document.documentElement.scrollWidth - document.documentElement.clientWidth;')
    check(overflow <= 0, 'no sideways scrolling at phone width', overflow)
    check(p.js("return document.getElementById('filters-box').open;") is False, 'filters folded at phone width')
    p.screenshot(os.path.join(artifacts, 'phone.png'))
    driver.get(base + p.url_of(q='Diffusionsmodell', paper='chatpaper-2024-02-29-07'))
    p.wait('return document.getElementById("paper").dataset.rendered === "chatpaper-2024-02-29-07";', 'a paper at phone width')
    p.screenshot(os.path.join(artifacts, 'phone-paper.png'))
    driver.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})

    section('errors: a 4xx with its message, a 503 with retry, the server unreachable')
    driver.get_log('browser')  # what came before was checked above
    long_query = ' '.join(f'w{i}' for i in range(101))
    driver.get(base + p.url_of(q='diffusion'))
    p.wait_rendered(p.url_of(q='diffusion'), 'results before the error')
    p.box().send_keys(' ' + long_query)  # typed after "diffusion": 102 words
    p.wait('return document.body.dataset.status === "error" && document.getElementById("error").dataset.kind === "refused";',
           'the 400 shown')
    check('more than 100 words' in driver.find_element(By.ID, 'error').text, 'the 400 shows the API\'s message', driver.find_element(By.ID, 'error').text)
    check(p.js("return document.querySelectorAll('#results li').length;") == 0, 'no results of an earlier search under the error')
    driver.get(base + p.url_of(paper='no-such-paper'))
    p.wait('return document.body.dataset.status === "error" && document.getElementById("error").dataset.kind === "not_found";',
           'the missing paper shown')
    check(driver.find_element(By.ID, 'error').text == 'No paper with the id no-such-paper.', 'a missing paper is said',
          driver.find_element(By.ID, 'error').text)
    missing = Server(serve_bin, ['--db', os.path.join(tmp, 'no-index'), '--quiet'], os.path.join(tmp, 'serve-503.log'))
    servers.append(missing)
    driver.get(missing.url + p.url_of(q='diffusion'))
    p.wait('return document.body.dataset.status === "error" && document.getElementById("error").dataset.kind === "unavailable";',
           'the 503 shown')
    text = driver.find_element(By.ID, 'error').text
    check('no index at' in text and '5 s' in text, 'the 503 shows its message and when it retries', text)
    check(p.js("return !!document.querySelector('#error button.retry');"), 'a retry button')
    missing.stop()
    driver.find_element(By.CSS_SELECTOR, '#error button.retry').click()
    p.wait('return document.body.dataset.status === "error" && document.getElementById("error").dataset.kind === "unreachable";',
           'the unreachable server shown')
    check('cannot be reached' in driver.find_element(By.ID, 'error').text, 'the unreachable server is said')
    errors = p.console_errors(allowed=('Failed to load resource', 'ERR_CONNECTION_REFUSED'))
    check(not errors, 'no console errors but the failed requests', errors)

    section('the interface in German, from the browser\'s language')
    german = start_browser(os.path.join(tmp, 'profile-de'), lang='de-DE')
    drivers.append(german)
    g = Page(german, base)
    german.get(base + g.url_of(q='linear attention'))
    g.wait_rendered(g.url_of(q='linear attention'), 'German interface results')
    texts = g.js('''return {lang: document.documentElement.lang, button: document.querySelector('#search-form button').textContent,
                            status: document.getElementById('status').textContent,
                            sort: document.querySelector('#sort option[value=date]').textContent};''')
    check(texts['lang'] == 'de' and texts['button'] == 'Suchen' and 'Artikel' in texts['status'] and texts['sort'] == 'Neueste zuerst',
          'German texts', texts)
    g.screenshot(os.path.join(artifacts, 'desktop-de.png'))
    g.js(STUB_FETCH)
    g.js('''window.__stub = {search: {corrected: 'linear attention', notices: [{code: 'some_words', message: 'm'},
        {code: 'invalid_filter', message: 'year:abc is not a year'}, {code: 'a_new_code', message: 'new'}],
        translations: [{word: 'Aufmerksamkeit', lang: 'de', to: 'en', as: ['attention']}]}};''')
    g.box().send_keys('s')
    g.wait_rendered(g.url_of(q='linear attentions'), 'German notices')
    shown = [n['text'] for n in g.js(READ_NOTICES)['notices']]
    check(shown == ['Ergebnisse für linear attention. Stattdessen suchen nach linear attentions',
                    'Auch gesucht: attention (für Aufmerksamkeit)',
                    'Kein Artikel enthält jedes Wort; gezeigt werden Artikel, die einige enthalten.',
                    'Ein Filter mit ungültigem Wert wurde weggelassen. (year:abc is not a year)', 'new'],
          'the notices in German; an unknown code\'s English message', shown)
    errors = g.console_errors()
    check(not errors, 'no console errors in German', errors)


def summary(values):
    if not values:
        return None
    v = sorted(values)
    return {'n': len(v), 'median': round(statistics.median(v), 1), 'max': round(v[-1], 1), 'min': round(v[0], 1)}


if __name__ == '__main__':
    sys.exit(main())
