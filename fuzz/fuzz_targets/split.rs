//! The paragraph splitter on plain text (blank-line or one-per-line
//! paragraphs, sentence cuts in long ones): no panic, offsets always valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rhizome::config::CorpusFormat;

fuzz_target!(|data: &[u8]| {
    rhizome::fuzzing::parse_and_split(CorpusFormat::Text, data);
});
