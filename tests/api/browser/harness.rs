//! The harness of the browser tests: chromedriver and headless Chromium with JavaScript
//! off, one per test, and what a test does with them (go, fill, click, wait, measure,
//! screenshot, print).

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::{
    Capabilities, PrintConfiguration, PrintSize, TimeoutConfiguration, WebDriverCompatibleCommand,
};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value as Json};

use crate::helpers::{manifest_dir, TestApp};

/// How long a click on a link or a submit button waits for the next page ([`Browser::press`]).
const NAVIGATION: Duration = Duration::from_secs(5);

/// The flags this closed network needs (no call home, no background fetches).
pub(crate) const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

pub(crate) static SKIPPED: Once = Once::new();

/// A fresh app and a browser on it, or `None` (after one notice) when chromedriver is
/// missing and the browser tests are not required.
pub(crate) async fn app_and_browser() -> Option<(TestApp, Browser)> {
    app_and_browser_with(TestApp::builder()).await
}

/// [`app_and_browser`] with an app built as the test wants (a real SMTP server, say).
pub(crate) async fn app_and_browser_with(
    builder: crate::helpers::Builder,
) -> Option<(TestApp, Browser)> {
    let driver = chromedriver()?;
    let app = builder.spawn().await;
    let browser = Browser::start(&driver, &app.base).await;
    Some((app, browser))
}

pub(crate) fn chromedriver() -> Option<PathBuf> {
    let found = std::env::var_os("COMMUNE_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| find_in_path("chromedriver"));
    if found.is_none() {
        assert!(
            std::env::var("COMMUNE_BROWSER_TESTS").as_deref() != Ok("1"),
            "COMMUNE_BROWSER_TESTS=1 but chromedriver is not installed: \
             install Chromium and its driver (Debian: apt-get install chromium chromium-driver)"
        );
        SKIPPED.call_once(|| {
            // Straight to stderr: the test harness would swallow eprintln! of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "browser tests skipped: no chromedriver (apt-get install chromium chromium-driver; \
                 COMMUNE_BROWSER_TESTS=1 makes them required)"
            );
        });
    }
    found
}

pub(crate) fn chromium() -> Option<PathBuf> {
    std::env::var_os("COMMUNE_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
}

pub(crate) fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// One chromedriver process, in its own process group with the Chromium it starts;
/// the whole group is killed on drop.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// `home` takes what Chromium writes outside its profile (temporary files, crash
    /// reports), so that nothing is left behind.
    pub(crate) async fn start(exe: &Path, log: &Path, home: &Path) -> Driver {
        let mut last_error = String::new();
        // A free port can be taken between the check and chromedriver's bind: try again.
        for _ in 0..3 {
            let port = free_port();
            let mut child = Command::new(exe)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .env("TMPDIR", home)
                .env("XDG_CONFIG_HOME", home)
                .env("XDG_CACHE_HOME", home)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
            let url = format!("http://127.0.0.1:{port}/");
            match wait_until_ready(&mut child, &url).await {
                Ok(()) => return Driver { child, url },
                Err(e) => {
                    last_error = e;
                    kill_group(&mut child);
                }
            }
        }
        panic!(
            "chromedriver did not start: {last_error}\n{}",
            log_tail(log)
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

pub(crate) fn kill_group(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        // The group was made for this child alone (process_group(0)): its id is the pid.
        unsafe {
            libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub(crate) async fn wait_until_ready(child: &mut Child, url: &str) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status})"));
        }
        if let Ok(res) = http.get(format!("{url}status")).send().await {
            if let Ok(body) = res.json::<Json>().await {
                if body["value"]["ready"] == json!(true) {
                    return Ok(());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{url}status did not answer ready within 15 s"))
}

pub(crate) fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    format!("last lines of {}:\n{tail}", log.display())
}

/// A Chromium session with JavaScript off, on one app.
pub(crate) struct Browser {
    pub(crate) client: Client,
    base: String,
    log: PathBuf,
    // Field order is drop order: the driver (and its Chromium) go before their folder.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) async fn start(exe: &Path, base: &str) -> Browser {
        let profile = tempfile::tempdir().expect("a profile folder");
        let log = profile.path().join("chromedriver.log");
        let driver = Driver::start(exe, &log, profile.path()).await;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            profile.path().join("chromium").display()
        ));
        let mut options = json!({
            "args": args,
            "prefs": {
                // JavaScript off for every page: the site must work without it.
                "profile.managed_default_content_settings.javascript": 2,
                // A visitor from Senegal: French first.
                "intl.accept_languages": "fr-SN,fr",
            },
        });
        if let Some(binary) = chromium() {
            options["binary"] = json!(binary);
        }
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("Chromium did not start: {e}\n{}", log_tail(&log)));
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(20)),
                Some(Duration::ZERO),
            ))
            .await
            .expect("set timeouts");
        let browser = Browser {
            client,
            base: base.to_string(),
            log,
            _driver: driver,
            _profile: profile,
        };
        browser.assert_javascript_is_off().await;
        browser
    }

    pub(crate) async fn assert_javascript_is_off(&self) {
        self.client
            .goto("data:text/html,<title>off</title><script>document.title='on'</script>")
            .await
            .expect("open a data: page");
        assert_eq!(
            self.client.title().await.unwrap(),
            "off",
            "the browser must run with JavaScript turned off"
        );
    }

    pub(crate) async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}\n{}", log_tail(&self.log)));
    }

    pub(crate) async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// Where the browser is, for failure messages.
    pub(crate) async fn here(&self) -> String {
        let url = self.client.current_url().await.map(|u| u.to_string());
        let title = self.client.title().await.unwrap_or_default();
        format!("at {} ({title:?})", url.unwrap_or_default())
    }

    pub(crate) async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no {css} {}: {e}", self.here().await),
        }
    }

    pub(crate) async fn all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    /// The visible text of the first element `css` selects.
    pub(crate) async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    pub(crate) async fn lang(&self) -> String {
        self.find("html")
            .await
            .attr("lang")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub(crate) async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.press(element, css).await;
    }

    /// Clicks `element`. A link or a submit button loads another page (JavaScript is
    /// off), and chromedriver may answer the click before that page has come: so this
    /// waits until the page the click was on is gone (its `html` stale), up to
    /// [`NAVIGATION`]. Otherwise the next look could find what it waits for on the old
    /// page and read it as the page goes away (a stale element). A click that loads
    /// nothing (a form the browser refuses to send) goes on after that wait.
    async fn press(&self, element: Element, what: &str) {
        let tag = element.tag_name().await.unwrap_or_default().to_lowercase();
        let kind = element.attr("type").await.ok().flatten();
        let href = element
            .attr("href")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let loads = (tag == "a" && !href.starts_with('#'))
            || (tag == "button" && kind.as_deref().is_none_or(|k| k == "submit"))
            || (tag == "input" && kind.as_deref() == Some("submit"));
        let page = self.find("html").await;
        if let Err(e) = element.click().await {
            panic!("click {what} {}: {e}", self.here().await);
        }
        if !loads {
            return;
        }
        let deadline = Instant::now() + NAVIGATION;
        while Instant::now() < deadline {
            match page.tag_name().await {
                Err(e) if e.is_stale_element_reference() => return,
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// Clicks the link whose text is `text` inside the element `within` selects.
    pub(crate) async fn click_link(&self, within: &str, text: &str) {
        let scope = self.find(within).await;
        let link = match scope.find(Locator::LinkText(text)).await {
            Ok(link) => link,
            Err(e) => panic!("no link {text:?} in {within} {}: {e}", self.here().await),
        };
        self.press(link, text).await;
    }

    /// Types `value` into the field, as a person would (no script sets the value).
    pub(crate) async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub(crate) async fn log_in(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.fill("main input[name=email]", email).await;
        self.fill("main input[name=password]", password).await;
        self.click("main form button[type=submit]").await;
        self.wait_until("the login to go through", |b| async move {
            b.path().await != "/login"
        })
        .await;
    }

    /// Logs out with the header's button.
    pub(crate) async fn log_out(&self) {
        self.click("header.top form[action='/logout'] button[type=submit]")
            .await;
        self.wait_for_path("/").await;
    }

    /// The question a page asks before what cannot be undone, once it shows, its
    /// narrow spaces as plain ones.
    pub(crate) async fn question(&self) -> String {
        self.wait_until("the question", |b| async move {
            !b.all("main #confirm-question").await.is_empty()
        })
        .await;
        self.text("main #confirm-question")
            .await
            .replace('\u{202F}', " ")
    }

    /// At the counter, on a taxpayer's account: types the amount received and asks to
    /// record it; returns the question asked before anything is written.
    pub(crate) async fn ask_to_pay(&self, amount: &str) -> String {
        self.fill("main input[name=amount]", amount).await;
        self.click("main form.stack button[type=submit]").await;
        self.question().await
    }

    /// Answers the counter's question: the payment is recorded and its receipt shown.
    pub(crate) async fn confirm_payment(&self) {
        self.click("main form.actions button[type=submit]").await;
        self.wait_until("the receipt", |b| async move {
            b.path().await.contains("/collect/receipts/")
        })
        .await;
    }

    /// Lays the page out at `width` px (a phone at 360), as a visitor with that screen.
    pub(crate) async fn viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        )
        .await;
    }

    /// At 360 px and at 1280 px: no sideways scroll on the phone, no amount on two
    /// lines, and a full-page screenshot kept as `<name>-360.png` and `<name>-1280.png`.
    pub(crate) async fn shoot_both(&self, name: &str) {
        for (width, height) in [(360, 740), (1280, 900)] {
            self.viewport(width, height).await;
            let measured = self
                .client
                .execute(
                    "const broken = [...document.querySelectorAll('[data-figure], td.num, dd.num')]
                       .filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                                      return e.innerText.trim() && r.getClientRects().length > 1
                                        && [...r.getClientRects()].some(x => Math.abs(x.top - r.getClientRects()[0].top) > 2); })
                       .map(e => e.innerText);
                     const wide = [...document.querySelectorAll('body *')]
                       .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                       .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 40));
                     return [document.documentElement.scrollWidth, document.documentElement.clientWidth,
                             document.documentElement.scrollHeight, broken, wide];",
                    vec![],
                )
                .await
                .expect("measure the page");
            let (scroll, client) = (measured[0].as_u64().unwrap(), measured[1].as_u64().unwrap());
            let here = self.here().await;
            if width == 360 {
                assert!(
                    scroll <= client,
                    "{name} scrolls sideways on a phone: {scroll} px wide in {client} px, {here}: {}",
                    measured[4]
                );
            }
            let broken = measured[3].as_array().cloned().unwrap_or_default();
            assert!(
                broken.is_empty(),
                "{name} at {width} px breaks amounts: {broken:?}"
            );
            // The whole page, as tall as it is.
            let full = measured[2].as_u64().unwrap_or(height as u64).min(6000) as u32;
            self.viewport(width, full.max(height)).await;
            let png = self.client.screenshot().await.expect("a screenshot");
            save_artifact(&format!("{name}-{width}.png"), &png);
        }
        self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
    }

    pub(crate) async fn wait_for_path(&self, path: &str) {
        self.wait_until(&format!("the page {path}"), |b| async move {
            b.path().await == path
        })
        .await;
    }

    pub(crate) async fn wait_for_lang(&self, lang: &str) {
        self.wait_until(&format!("a page in {lang}"), |b| async move {
            b.lang().await == lang
        })
        .await;
    }

    pub(crate) async fn wait_until<'a, F, Fut>(&'a self, what: &str, ready: F)
    where
        F: Fn(&'a Browser) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ready(self).await {
            if Instant::now() > deadline {
                panic!("waited 10 s for {what}, {}", self.here().await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A Chrome DevTools command, through chromedriver.
    pub(crate) async fn cdp(&self, cmd: &str, params: Json) -> Json {
        self.client
            .issue_cmd(Cdp {
                cmd: cmd.to_string(),
                params,
            })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Lays the page out for `print` (or back for the screen with ""), as when printing.
    pub(crate) async fn emulate_media(&self, media: &str) {
        self.cdp("Emulation.setEmulatedMedia", json!({ "media": media }))
            .await;
    }

    /// The current page, printed: WebDriver's Print Page on A4 gives one page; the
    /// stylesheet's own `@page` asks for A4 too; the header's navigation, the footer and
    /// the buttons are not printed, the title is.
    pub(crate) async fn check_printed_page(&self, path: &str, title: &str) {
        let config = PrintConfiguration::builder()
            .size(PrintSize::A4)
            .build()
            .unwrap();
        let pdf = self.client.print(config).await.expect("Print Page");
        assert!(pdf.starts_with(b"%PDF-"), "{path}: a PDF");
        assert_eq!(pdf_page_count(&pdf), 1, "{path}: one printed page");
        assert_a4(&pdf, path);
        save_artifact(&format!("print{}.pdf", path.replace('/', "-")), &pdf);

        // Without a paper size from WebDriver (its default is US Letter), Chromium
        // takes the stylesheet's `@page { size: A4 }`.
        let printed = self
            .cdp("Page.printToPDF", json!({ "preferCSSPageSize": true }))
            .await;
        let data = printed["data"].as_str().expect("printToPDF data");
        let pdf = base64_decode(data);
        assert_a4(&pdf, &format!("{path} (page size from the stylesheet)"));

        self.emulate_media("print").await;
        for hidden in ["header.top nav", "footer"] {
            let display = self.find(hidden).await.css_value("display").await.unwrap();
            assert_eq!(display, "none", "{path}: {hidden} is printed");
        }
        // Buttons are actions, for the screen (white on green: faint grey on paper).
        for button in self.all("main .button").await {
            assert!(
                !button.is_displayed().await.unwrap(),
                "{path}: a button is printed"
            );
        }
        assert!(self.find("main h1").await.is_displayed().await.unwrap());
        assert_eq!(self.text("main h1").await, title);
        self.emulate_media("").await;
        assert!(self
            .find("header.top nav")
            .await
            .is_displayed()
            .await
            .unwrap());
    }
}

/// `POST /session/{id}/goog/cdp/execute`: chromedriver's door to the DevTools protocol.
#[derive(Debug)]
pub(crate) struct Cdp {
    cmd: String,
    params: Json,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a session");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Page objects of a PDF (`/Type /Page`, not `/Type /Pages`).
pub(crate) fn pdf_page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type")
        .filter(|(i, _)| {
            let rest = text[i + "/Type".len()..].trim_start();
            rest.starts_with("/Page")
                && !rest["/Page".len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        })
        .count()
}

/// Width and height, in points, of every page's `/MediaBox` in a PDF.
pub(crate) fn media_boxes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.split("/MediaBox")
        .skip(1)
        .map(|rest| {
            let inside = rest.trim_start().trim_start_matches('[');
            let inside = &inside[..inside.find(']').expect("a MediaBox array")];
            let b: Vec<f64> = inside
                .split_whitespace()
                .map(|n| n.parse::<f64>().expect("a number"))
                .collect();
            (b[2] - b[0], b[3] - b[1])
        })
        .collect()
}

/// Every page's `/MediaBox` is A4 (595.3 × 841.9 points), give or take a point.
pub(crate) fn assert_a4(pdf: &[u8], what: &str) {
    let boxes = media_boxes(pdf);
    assert!(!boxes.is_empty(), "{what}: no /MediaBox in the PDF");
    for (w, h) in boxes {
        assert!(
            (w - 595.3).abs() < 1.5 && (h - 841.9).abs() < 1.5,
            "{what}: the page is {w} × {h} pt, not A4"
        );
    }
}

/// Width and height from a PNG's IHDR chunk.
pub(crate) fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

pub(crate) fn base64_decode(data: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64")
}

/// Keeps a screenshot or a PDF under target/tmp/browser/ for a person to look at.
pub(crate) fn save_artifact(name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(name), bytes);
}

/// The first districts of a demo commune, as its seed file lists them.
pub(crate) fn first_districts(commune: &str, n: usize) -> Vec<String> {
    let file = manifest_dir()
        .join("seed-data")
        .join(commune)
        .join("districts.csv");
    let text = std::fs::read_to_string(&file).expect("the demo districts");
    text.lines()
        .skip(1)
        .take(n)
        .map(|line| line.split(',').next().unwrap().trim().to_string())
        .collect()
}
