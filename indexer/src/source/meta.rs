//! Metadata of a text: title, date, tags, front matter, blog hashtags.

use super::Document;
use crate::markup::line_ranges;

/// Seconds since 1970-01-01 UTC of a civil date and time (proleptic
/// Gregorian), by `jiff`. A day past the month's end rolls over into the next
/// month, as the hand-written formula it replaces did; years are clamped to
/// jiff's ±9999 and months to 1–12, so that any input has an answer.
pub fn civil_to_unix(year: i64, month: u32, day: u32, hour: u32, minute: u32) -> i64 {
    let y = year.clamp(-9999, 9999) as i16;
    let m = month.clamp(1, 12) as i8;
    let first = jiff::civil::date(y, m, 1)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_second());
    first + (day as i64 - 1) * 86_400 + hour as i64 * 3600 + minute as i64 * 60
}

/// The civil date (year, month, day) of Unix seconds, in UTC, by `jiff`.
pub fn unix_to_civil(t: i64) -> (i64, u32, u32) {
    let t = t.clamp(
        jiff::Timestamp::MIN.as_second(),
        jiff::Timestamp::MAX.as_second(),
    );
    let d = jiff::Timestamp::from_second(t)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    (d.year() as i64, d.month() as u32, d.day() as u32)
}

/// `1637`, `2024-05-01`, `2024-05-01T10:00:00Z`, `2024/5/1` → Unix seconds.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim().trim_matches('"').trim_matches('\'');
    let date_part = s.split(['T', ' ']).next()?;
    let nums: Vec<&str> = date_part.split(['-', '/']).collect();
    let year: i64 = nums.first()?.parse().ok()?;
    let month: u32 = nums.get(1).map_or(Some(1), |m| m.parse().ok())?;
    let day: u32 = nums.get(2).map_or(Some(1), |d| d.parse().ok())?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(-5000..=9999).contains(&year) {
        return None;
    }
    Some(civil_to_unix(year, month, day, 0, 0))
}

/// `#2024-1-26-19h50` → Unix seconds.
fn parse_time_hashtag(tag: &str) -> Option<i64> {
    let parts: Vec<&str> = tag.split('-').collect();
    if parts.len() != 4 {
        return None;
    }
    let (h, m) = parts[3].split_once('h')?;
    Some(civil_to_unix(
        parts[0].parse().ok()?,
        parts[1].parse().ok().filter(|m| (1..=12).contains(m))?,
        parts[2].parse().ok().filter(|d| (1..=31).contains(d))?,
        h.parse().ok()?,
        m.parse().unwrap_or(0),
    ))
}

/// YAML front matter: its scalar fields and its lists, as strings.
#[derive(Debug, Default, PartialEq)]
pub struct FrontMatter {
    pub fields: Vec<(String, String)>,
    pub lists: Vec<(String, Vec<String>)>,
    /// Byte offset where the body starts (after the closing `---`).
    pub end: usize,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
    pub fn list(&self, key: &str) -> Vec<String> {
        self.lists
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Parses front matter starting at `start`; `None` if the text has none.
/// The fences are found here (their byte offsets bound the body); what lies
/// between is YAML, read by `yaml-rust2`. Front matter that is not valid
/// YAML is reported and read as empty: the text is still indexed.
pub fn parse_front_matter(text: &str, start: usize) -> Option<FrontMatter> {
    let rest = &text[start..];
    let first_len = rest.find('\n')? + 1;
    if rest[..first_len].trim_end() != "---" {
        return None;
    }
    let yaml_start = start + first_len;
    let mut pos = yaml_start;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..line_end].trim_end();
        if line == "---" || line == "..." {
            let mut fm = yaml_fields(&text[yaml_start..pos]);
            fm.end = line_end;
            return Some(fm);
        }
        pos = line_end;
    }
    None // no closing fence: not front matter
}

/// The top-level keys of a YAML mapping: scalars as fields, sequences (and
/// empty values) as lists.
fn yaml_fields(yaml: &str) -> FrontMatter {
    use yaml_rust2::{Yaml, YamlLoader};
    let mut fm = FrontMatter::default();
    let docs = match YamlLoader::load_from_str(yaml) {
        Ok(docs) => docs,
        Err(e) => {
            tracing::warn!(error = %e, "front matter is not valid YAML: read as empty");
            return fm;
        }
    };
    let Some(Yaml::Hash(map)) = docs.into_iter().next() else {
        return fm;
    };
    for (k, v) in map {
        let Some(key) = yaml_scalar(&k) else { continue };
        match v {
            Yaml::Array(items) => {
                let items = items
                    .iter()
                    .filter_map(yaml_scalar)
                    .filter(|s| !s.is_empty())
                    .collect();
                fm.lists.push((key, items));
            }
            Yaml::Null => fm.lists.push((key, Vec::new())),
            other => {
                if let Some(value) = yaml_scalar(&other) {
                    fm.fields.push((key, value));
                }
            }
        }
    }
    fm
}

fn yaml_scalar(y: &yaml_rust2::Yaml) -> Option<String> {
    use yaml_rust2::Yaml;
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.trim().to_string()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn first_heading(doc: &mut Document) -> Option<String> {
    let lines = line_ranges(&doc.text, doc.body.0, doc.body.1);
    let mut it = lines
        .iter()
        .filter(|(s, e)| !doc.text[*s..*e].trim().is_empty());
    let &(s, e) = it.next()?;
    let line = doc.text[s..e].trim();
    if let Some(h) = line.strip_prefix("# ") {
        return Some(crate::markup::decode_entities(h.trim()));
    }
    // setext: `Title` then `----` or `====`
    if let Some(&(s2, e2)) = it.next() {
        let under = doc.text[s2..e2].trim();
        if under.len() >= 3
            && (under.chars().all(|c| c == '-') || under.chars().all(|c| c == '='))
            && s2 == e
        {
            return Some(line.to_string());
        }
    }
    None
}

/// Blog export: `# Title` first, `Tags: a, b` line, trailing hashtags
/// (`#ia #y2024 #2024-1-26-19h50`), date from `posts/YYYY/MM/` otherwise.
/// Returns whether the day of publication is known.
pub fn blog_meta(doc: &mut Document) -> bool {
    let mut day_known = false;
    if let Some(t) = first_heading(doc) {
        doc.title = t;
        // the title line is not prose
        let s = doc.text[doc.body.0..]
            .find("# ")
            .map_or(doc.body.0, |i| doc.body.0 + i);
        doc.body.0 = doc.text[s..]
            .find('\n')
            .map_or(doc.text.len(), |i| s + i + 1);
    }
    // Trailing metadata lines: hashtags and `Tags:`, in any order, at the end.
    loop {
        let lines = line_ranges(&doc.text, doc.body.0, doc.body.1);
        let Some(&(s, _)) = lines
            .iter()
            .rev()
            .find(|(s, e)| !doc.text[*s..*e].trim().is_empty())
        else {
            break;
        };
        let line = doc.text[s..doc.body.1].trim();
        if let Some(tags) = line.strip_prefix("Tags:") {
            doc.tags.extend(
                tags.split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty()),
            );
        } else if !line.is_empty()
            && line
                .split_whitespace()
                .all(|w| w.starts_with('#') && w.len() > 1 && !w.starts_with("##"))
        {
            for tag in line.split_whitespace().map(|w| &w[1..]) {
                if let Some(t) = parse_time_hashtag(tag) {
                    doc.date = Some(t);
                    day_known = true;
                } else if tag.len() == 5
                    && tag.starts_with('y')
                    && tag[1..].chars().all(|c| c.is_ascii_digit())
                {
                    // `#y2024`: a year marker, not a topic
                } else {
                    doc.tags.push(tag.to_string());
                }
            }
        } else {
            break;
        }
        doc.body.1 = s;
    }
    // A `Tags:` line right under the title.
    let lines = line_ranges(&doc.text, doc.body.0, doc.body.1);
    if let Some(&(s, e)) = lines
        .iter()
        .find(|(s, e)| !doc.text[*s..*e].trim().is_empty())
    {
        if let Some(tags) = doc.text[s..e].trim().strip_prefix("Tags:") {
            doc.tags.extend(
                tags.split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty()),
            );
            doc.body.0 = e;
        }
    }
    if doc.date.is_none() {
        let parts: Vec<&str> = doc.rel_path.split('/').collect();
        for w in parts.windows(2) {
            if let (Ok(y), Ok(m)) = (w[0].parse::<i64>(), w[1].parse::<u32>()) {
                if (1900..=2100).contains(&y) && (1..=12).contains(&m) {
                    doc.date = Some(civil_to_unix(y, m, 1, 0, 0));
                    break;
                }
            }
        }
    }
    day_known
}

/// Markdown with optional YAML front matter; title from it or the first heading.
pub fn markdown_meta(doc: &mut Document) -> bool {
    let mut day_known = false;
    if let Some(fm) = parse_front_matter(&doc.text, doc.body.0) {
        doc.body.0 = fm.end;
        if let Some(t) = fm.get("title") {
            doc.title = t.to_string();
        }
        if let Some(d) = fm.get("date") {
            doc.date = parse_date(d);
            day_known = d.trim_matches('"').len() >= 10;
        }
        doc.author = fm.get("author").map(String::from);
        let mut tags = fm.list("tags");
        if tags.is_empty() {
            if let Some(t) = fm.get("tags") {
                tags = t
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
        }
        doc.tags = tags;
        if fm.get("title").is_some() {
            return day_known;
        }
    }
    if let Some(t) = first_heading(doc) {
        doc.title = t;
    }
    day_known
}

/// A file name that names nothing a reader would know: a word of 8+
/// characters mixing digits and letters (a hash), or no word of letters.
pub fn is_hash_like(slug: &str) -> bool {
    let words: Vec<&str> = slug
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let hashy = |w: &&str| {
        w.len() >= 8
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_hexdigit())
    };
    words.iter().any(hashy)
        || !words
            .iter()
            .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
}

/// Longest title made from a text's first sentence, in characters.
const SENTENCE_TITLE_CHARS: usize = 72;

/// A readable title for a text that has none (issue 17): the first
/// sentence of its first line of prose (at least four words: "Hello!" is a
/// greeting, not a subject), markdown marks left out, cut at a word with
/// an ellipsis, first letter capitalised. `None` when the text has no such
/// line.
pub fn sentence_title(body: &str) -> Option<String> {
    let line = body
        .lines()
        .map(|l| l.trim().trim_start_matches(['#', '>', '*', '-', ' ']))
        .find(|l| l.split_whitespace().count() >= 4 && l.chars().any(char::is_alphabetic))?;
    let line: String = line
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '[' | ']'))
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = line
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?' | '…') && i >= 20)
        .map_or(line.len(), |(i, c)| i + c.len_utf8());
    let sentence = &line[..end];
    let mut title = if sentence.chars().count() <= SENTENCE_TITLE_CHARS {
        sentence.to_string()
    } else {
        let cut: String = sentence.chars().take(SENTENCE_TITLE_CHARS).collect();
        let at = cut.rfind(' ').unwrap_or(cut.len());
        format!("{}…", cut[..at].trim_end_matches([',', ';', ':', ' ']))
    };
    if let Some(first) = title.chars().next() {
        title.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    Some(title)
}

/// Fills `{id}`, `{path}`, `{slug}`, `{year}`, `{month}`, `{day}`; `None` when
/// the template needs a date part the text does not have.
pub fn render_url(
    template: &str,
    doc: &Document,
    stem: &str,
    slug: &str,
    day_known: bool,
) -> Option<String> {
    let mut url = template
        .replace("{id}", &doc.id)
        .replace("{path}", stem)
        .replace("{slug}", slug);
    if url.contains("{year}") || url.contains("{month}") || url.contains("{day}") {
        let (y, m, d) = unix_to_civil(doc.date?);
        if url.contains("{day}") && !day_known {
            return None;
        }
        url = url
            .replace("{year}", &format!("{y:04}"))
            .replace("{month}", &format!("{m:02}"))
            .replace("{day}", &format!("{d:02}"));
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CorpusFormat;

    fn doc(rel: &str, text: &str) -> Document {
        Document {
            id: format!("blog/{rel}"),
            corpus: "blog".into(),
            rel_path: rel.into(),
            title: String::new(),
            date: None,
            tags: vec![],
            author: None,
            url: None,
            format: CorpusFormat::BlogMarkdown,
            body: (0, text.len()),
            text: text.into(),
        }
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(civil_to_unix(1970, 1, 1, 0, 0), 0);
        assert_eq!(civil_to_unix(2024, 1, 26, 19, 50), 1_706_298_600);
        assert_eq!(unix_to_civil(civil_to_unix(1637, 6, 8, 0, 0)), (1637, 6, 8));
        assert_eq!(parse_date("1637"), Some(civil_to_unix(1637, 1, 1, 0, 0)));
        assert_eq!(
            parse_date("\"2024-05-01\""),
            Some(civil_to_unix(2024, 5, 1, 0, 0))
        );
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn blog_hashtags_give_tags_and_time() {
        let text =
            "# Après les livres, les datasets\n\nUn paragraphe.\n\n#ia #y2024 #2024-1-26-19h50\n";
        let mut d = doc("posts/2024/01/x.md", text);
        assert!(blog_meta(&mut d));
        assert_eq!(d.title, "Après les livres, les datasets");
        assert_eq!(d.tags, ["ia"]);
        assert_eq!(d.date, Some(civil_to_unix(2024, 1, 26, 19, 50)));
        assert_eq!(d.text[d.body.0..d.body.1].trim(), "Un paragraphe.");
    }

    #[test]
    fn blog_tags_line_and_path_date() {
        let text = "# Bikepacking\n\nDu texte.\n\nTags: Bikepacking, Born to Bike, une\n";
        let mut d = doc("posts/2023/11/b.md", text);
        assert!(!blog_meta(&mut d));
        assert_eq!(d.tags, ["Bikepacking", "Born to Bike", "une"]);
        assert_eq!(d.date, Some(civil_to_unix(2023, 11, 1, 0, 0)));
        assert_eq!(d.text[d.body.0..d.body.1].trim(), "Du texte.");
    }

    #[test]
    fn front_matter_fields_and_lists() {
        let text = "---\ntitle: \"Discours de la Méthode\"\nauthor: Descartes\ndate: 1637\ntags:\n  - philosophie\n  - méthode\n---\n\n# Discours\n\nLe bon sens.\n";
        let mut d = doc("descartes.md", text);
        d.format = CorpusFormat::Markdown;
        markdown_meta(&mut d);
        assert_eq!(d.title, "Discours de la Méthode");
        assert_eq!(d.author.as_deref(), Some("Descartes"));
        assert_eq!(d.tags, ["philosophie", "méthode"]);
        assert!(d.text[d.body.0..].starts_with("\n# Discours"));
        assert!(parse_front_matter("---\nno end\n", 0).is_none());
    }

    #[test]
    fn urls_need_a_known_day() {
        let mut d = doc("posts/2024/01/slug.md", "x");
        d.date = Some(civil_to_unix(2024, 1, 26, 0, 0));
        let t = "https://tcrouzet.com/{year}/{month}/{day}/{slug}/";
        assert_eq!(
            render_url(t, &d, "posts/2024/01/slug", "slug", true).as_deref(),
            Some("https://tcrouzet.com/2024/01/26/slug/")
        );
        assert_eq!(render_url(t, &d, "posts/2024/01/slug", "slug", false), None);
    }

    #[test]
    fn issue_17_a_text_without_a_title_is_named_by_its_first_sentence() {
        let forum = "Hello!\n\nbon slrpnk.net a l’air d’être dans les choux alors je lance ce post avec mon compte de secours jlai.lu\n\nAlors je lance cet AMA.";
        assert_eq!(
            sentence_title(forum).unwrap(),
            "Bon slrpnk.net a l’air d’être dans les choux alors je lance ce post…"
        );
        assert_eq!(
            sentence_title("> *Le travail* rend libre ? Non. Il abrutit les ouvriers.").unwrap(),
            "Le travail rend libre ?"
        );
        assert_eq!(sentence_title("Bonjour.\n\n42\n"), None);
        assert!(is_hash_like("003_b7b249dc88a993c5"));
        assert!(is_hash_like("4f2a9c1e"));
        assert!(!is_hash_like("Article 1609"));
        assert!(!is_hash_like("laboetie1562_servitude"));
        assert!(!is_hash_like("technofascisme"));
    }
}
