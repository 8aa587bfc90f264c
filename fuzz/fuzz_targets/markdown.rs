//! The blog and markdown parsers (front matter, `Tags:`, hashtags, titles,
//! images and links), then the splitter: no panic, offsets always valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rhizome::config::CorpusFormat;

fuzz_target!(|data: &[u8]| {
    let (format, data) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (CorpusFormat::BlogMarkdown, rest),
        Some((_, rest)) => (CorpusFormat::Markdown, rest),
        None => return,
    };
    rhizome::fuzzing::parse_and_split(format, data);
});
