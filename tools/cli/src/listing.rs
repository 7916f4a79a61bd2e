//! The App Hub listing check: a listing file (TOML) with the fields a Webex App Hub
//! submission asks for, checked against the submission's rules all at once, each problem
//! with its field and its rule. Image sizes are read from the real images (their headers
//! only): local copies in a folder, or the images downloaded when asked.
//!
//! ```
//! let listing: webex_bot_cli::listing::Listing = toml::from_str(r#"
//! name = "Ticket Bot"
//! "#).unwrap();
//! let problems = webex_bot_cli::listing::check(&listing, &webex_bot_cli::listing::Images::Unread);
//! assert!(problems.iter().any(|p| p.field == "app_type"));
//! ```

use std::path::PathBuf;

use serde::Deserialize;

/// A listing, as its TOML file says it. Every field is optional here so that a missing one
/// is reported with the others, not as a parse error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// The application's name (at most 75 characters).
    pub name: Option<String>,
    /// `bot`, `integration`, `widget`, `embedded-app` or `service-app`.
    pub app_type: Option<String>,
    /// The application's id from the developer portal.
    pub app_id: Option<String>,
    /// One or two categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The bot's address, ending `@webex.bot` (bots only).
    pub bot_email: Option<String>,
    /// A line (at most 100 characters).
    pub tagline: Option<String>,
    /// At most 1,000 characters; bullets and links only as markdown.
    pub description: Option<String>,
    /// An https URL of a 512 × 512 image.
    pub logo: Option<String>,
    /// https URLs.
    pub developer_website: Option<String>,
    /// https URL of the support page.
    pub support_url: Option<String>,
    /// https URL of the privacy policy.
    pub privacy_url: Option<String>,
    /// The publisher.
    pub company: Option<String>,
    /// Who to contact about the submission.
    pub contact_name: Option<String>,
    /// Their address.
    pub contact_email: Option<String>,
    /// Up to 3 https URLs of square images, 300 to 900 pixels a side.
    #[serde(default)]
    pub screenshots: Vec<String>,
    /// A YouTube or Vimeo URL.
    pub video: Option<String>,
}

/// One broken rule.
///
/// ```
/// let p = webex_bot_cli::listing::Problem { field: "name", rule: "is required".into() };
/// assert_eq!(p.to_string(), "name: is required");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, as named in the listing file (`screenshots[2]` for one of a list).
    pub field: &'static str,
    /// The rule, and what was found.
    pub rule: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// Where the images are read from to check their sizes.
#[derive(Debug, Clone)]
pub enum Images {
    /// Not read: sizes are not checked (the check says so).
    Unread,
    /// Local copies: the file named like the URL's last path segment, in this folder.
    Folder(PathBuf),
    /// Downloaded from their URLs (with a progress bar on a terminal when `progress`).
    Download {
        /// Whether to show a progress bar.
        progress: bool,
    },
}

const APP_TYPES: &[&str] = &[
    "bot",
    "integration",
    "widget",
    "embedded-app",
    "service-app",
];

/// Checks every rule; an empty list means the listing passes.
///
/// ```
/// # use webex_bot_cli::listing::{Images, Listing, check};
/// let problems = check(&Listing::default(), &Images::Unread);
/// assert!(problems.len() > 5);
/// ```
pub fn check(listing: &Listing, images: &Images) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut problem = |field: &'static str, rule: String| out.push(Problem { field, rule });
    let chars = |s: &str| s.chars().count();

    match listing.name.as_deref().map(str::trim) {
        None | Some("") => problem("name", "is required".into()),
        Some(n) if chars(n) > 75 => problem(
            "name",
            format!("must be at most 75 characters (it has {})", chars(n)),
        ),
        _ => {}
    }
    let app_type = listing.app_type.as_deref().map(str::trim);
    match app_type {
        None | Some("") => problem(
            "app_type",
            format!("is required: one of {}", APP_TYPES.join(", ")),
        ),
        Some(t) if !APP_TYPES.contains(&t) => problem(
            "app_type",
            format!("must be one of {} (it is {t:?})", APP_TYPES.join(", ")),
        ),
        _ => {}
    }
    if listing
        .app_id
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        problem(
            "app_id",
            "is required: the id the developer portal shows".into(),
        );
    }
    match listing.categories.len() {
        0 => problem("categories", "needs one or two categories".into()),
        n if n > 2 => problem("categories", format!("may have at most 2 (it has {n})")),
        _ => {}
    }
    if app_type == Some("bot") {
        match listing.bot_email.as_deref().map(str::trim) {
            None | Some("") => problem("bot_email", "is required for a bot".into()),
            Some(e) if !e.to_ascii_lowercase().ends_with("@webex.bot") || !is_email(e) => problem(
                "bot_email",
                format!("must end with @webex.bot (it is {e:?})"),
            ),
            _ => {}
        }
    }
    match listing.tagline.as_deref().map(str::trim) {
        None | Some("") => problem("tagline", "is required".into()),
        Some(t) if chars(t) > 100 => problem(
            "tagline",
            format!("must be at most 100 characters (it has {})", chars(t)),
        ),
        _ => {}
    }
    match listing.description.as_deref().map(str::trim) {
        None | Some("") => problem("description", "is required".into()),
        Some(d) => {
            if chars(d) > 1000 {
                problem(
                    "description",
                    format!("must be at most 1,000 characters (it has {})", chars(d)),
                );
            }
            if let Some(why) = description_markup(d) {
                problem("description", why);
            }
        }
    }
    for (field, value) in [
        ("developer_website", &listing.developer_website),
        ("support_url", &listing.support_url),
        ("privacy_url", &listing.privacy_url),
    ] {
        https(field, value.as_deref(), true, &mut problem);
    }
    for (field, value) in [
        ("company", &listing.company),
        ("contact_name", &listing.contact_name),
    ] {
        if value.as_deref().is_none_or(|s| s.trim().is_empty()) {
            problem(field, "is required".into());
        }
    }
    match listing.contact_email.as_deref().map(str::trim) {
        None | Some("") => problem("contact_email", "is required".into()),
        Some(e) if !is_email(e) => problem(
            "contact_email",
            format!("must be an email address (it is {e:?})"),
        ),
        _ => {}
    }
    if https("logo", listing.logo.as_deref(), true, &mut problem) {
        let logo = listing.logo.as_deref().unwrap_or_default();
        match image_size(logo, images) {
            Some(Ok((w, h))) if (w, h) != (512, 512) => problem(
                "logo",
                format!("must be 512 × 512 pixels (it is {w} × {h})"),
            ),
            Some(Err(e)) => problem("logo", format!("could not be read: {e}")),
            _ => {}
        }
    }
    if listing.screenshots.len() > 3 {
        problem(
            "screenshots",
            format!("may have at most 3 (it has {})", listing.screenshots.len()),
        );
    }
    const SHOTS: [&str; 3] = ["screenshots[1]", "screenshots[2]", "screenshots[3]"];
    for (i, shot) in listing.screenshots.iter().take(3).enumerate() {
        let field = SHOTS[i];
        if !https(field, Some(shot), true, &mut problem) {
            continue;
        }
        match image_size(shot, images) {
            Some(Ok((w, h))) if w != h || !(300..=900).contains(&w) => problem(
                field,
                format!("must be square, 300 to 900 pixels a side (it is {w} × {h})"),
            ),
            Some(Err(e)) => problem(field, format!("could not be read: {e}")),
            _ => {}
        }
    }
    if let Some(v) = listing
        .video
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        && https("video", Some(v), false, &mut problem)
    {
        let host = host_of(v).unwrap_or_default();
        let ok = ["youtube.com", "youtu.be", "vimeo.com"]
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        if !ok {
            problem(
                "video",
                format!("must be on YouTube or Vimeo (it is on {host})"),
            );
        }
    }
    out
}

/// Whether the images' sizes could not be checked (no folder, no download).
///
/// ```
/// # use webex_bot_cli::listing::{Images, sizes_unchecked};
/// assert!(sizes_unchecked(&Images::Unread));
/// ```
pub fn sizes_unchecked(images: &Images) -> bool {
    matches!(images, Images::Unread)
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    Some(host.to_ascii_lowercase())
}

/// Checks an https URL field; whether it holds one.
fn https(
    field: &'static str,
    value: Option<&str>,
    required: bool,
    problem: &mut impl FnMut(&'static str, String),
) -> bool {
    match value.map(str::trim) {
        None | Some("") => {
            if required {
                problem(field, "is required: an https URL".into());
            }
            false
        }
        Some(v) if !v.starts_with("https://") || host_of(v).is_none_or(|h| h.is_empty()) => {
            problem(field, format!("must be an https URL (it is {v:?})"));
            false
        }
        _ => true,
    }
}

/// What is wrong with the description's markup: HTML, bullets that are not markdown's,
/// or links that are not markdown links.
fn description_markup(d: &str) -> Option<String> {
    if let Some(tag) = find_html_tag(d) {
        return Some(format!("may use markdown only, not HTML (found {tag:?})"));
    }
    if let Some(line) = d
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(['•', '·', '◦', '▪']))
    {
        return Some(format!(
            "bullets must be markdown (`- ` or `* `), not {:?}",
            line.chars().next().unwrap_or(' ')
        ));
    }
    // A URL outside a markdown link: `[text](https://...)` is the only form allowed.
    let mut rest = d;
    while let Some(at) = rest.find("http") {
        let before = &rest[..at];
        let url_start = &rest[at..];
        if url_start.starts_with("http://") || url_start.starts_with("https://") {
            if !before.ends_with("](") && !before.ends_with('<') {
                let url: String = url_start
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                return Some(format!(
                    "links must be markdown links, `[text]({url})`, not a bare {url}"
                ));
            }
            if before.ends_with('<') {
                return Some("links must be markdown links, `[text](url)`, not <url>".into());
            }
        }
        rest = &rest[at + 4..];
    }
    None
}

fn find_html_tag(d: &str) -> Option<String> {
    let mut rest = d;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let name: String = after
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty()
            && !after.starts_with("http")
            && after.find('>').is_some_and(|j| !after[..j].contains('\n'))
        {
            let end = after.find('>').unwrap_or(0);
            return Some(format!("<{}>", &after[..end]));
        }
        rest = after;
    }
    None
}

/// The width and height of the image at `url`, if the images are read.
fn image_size(url: &str, images: &Images) -> Option<Result<(usize, usize), String>> {
    let bytes = match images {
        Images::Unread => return None,
        Images::Folder(dir) => {
            let name = url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .unwrap_or_default();
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => return Some(Err(format!("{}: {e}", path.display()))),
            }
        }
        Images::Download { progress } => match download(url, *progress) {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        },
    };
    Some(
        imagesize::blob_size(&bytes)
            .map(|s| (s.width, s.height))
            .map_err(|e| format!("not an image this check can read ({e})")),
    )
}

/// The first 256 KiB of `url`: enough for any image header.
fn download(url: &str, progress: bool) -> Result<Vec<u8>, String> {
    use std::io::Read;
    const ENOUGH: u64 = 256 * 1024;
    let mut resp = ureq::get(url).call().map_err(|e| format!("{url}: {e}"))?;
    let len = resp.body().content_length().map(|n| n.min(ENOUGH));
    let name = url.rsplit('/').next().unwrap_or(url);
    let bar = crate::progress::bar(&format!("downloading {name}"), len, progress);
    let mut bytes = Vec::new();
    crate::progress::Counted::new(resp.body_mut().as_reader().take(ENOUGH), bar)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{url}: {e}"))?;
    Ok(bytes)
}
