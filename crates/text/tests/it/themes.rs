//! Themes on a small corpus whose themes are obvious.

use text::{ThemeOptions, key_phrases, themes};

const CORPUS: [&str; 16] = [
    "The set-up instructions were unclear and I gave up.",
    "Set-up instructions are unclear, the diagrams are tiny.",
    "Unclear set-up instructions, took me two hours.",
    "The set-up instructions make no sense at all.",
    "Still waiting for my refund after three weeks.",
    "I am still waiting for my refund, nobody answers.",
    "Refund still not received, still waiting.",
    "Where is my refund? Still waiting.",
    "The parcel arrived damaged.",
    "My parcel was damaged, the box was crushed.",
    "Parcel damaged again, second time this month.",
    "The parcel arrived damaged and wet.",
    "Lovely staff in the store.",
    "Great price.",
    "Do you deliver on Sundays?",
    "The app works fine.",
];

fn find<'a>(found: &'a [text::Theme], word: &str) -> &'a text::Theme {
    found
        .iter()
        .find(|theme| theme.label.contains(word))
        .unwrap_or_else(|| panic!("no theme about {word:?} in {found:#?}"))
}

#[test]
fn obvious_themes_are_found_with_volume_sentiment_and_examples() {
    let found = themes(&CORPUS, &ThemeOptions::default());
    for theme in &found {
        println!(
            "{:<32} volume {} compound {:+.3} examples {:?} phrases {:?}",
            theme.label,
            theme.volume,
            theme.mean_compound,
            theme.examples,
            theme.phrases.iter().map(|p| &p.phrase).collect::<Vec<_>>()
        );
    }
    let instructions = find(&found, "instructions");
    assert_eq!(instructions.text_indices, [0, 1, 2, 3]);
    let refund = find(&found, "refund");
    assert_eq!(refund.text_indices, [4, 5, 6, 7]);
    let parcel = find(&found, "parcel");
    assert_eq!(parcel.text_indices, [8, 9, 10, 11]);
    for theme in [instructions, refund, parcel] {
        assert_eq!(theme.volume, 4);
        assert!(
            theme.mean_compound < -0.05,
            "{} should feel negative",
            theme.label
        );
        assert!(theme.share_negative >= 0.75, "{}", theme.label);
        assert_eq!(theme.examples.len(), 3);
        assert!(
            theme
                .examples
                .iter()
                .all(|idx| theme.text_indices.contains(idx))
        );
    }
    assert!(refund.emotions.frustration > refund.emotions.joy);
    // The three root causes are the largest themes.
    let top: Vec<&str> = found
        .iter()
        .take(3)
        .map(|theme| theme.label.as_str())
        .collect();
    assert!(
        top.iter().any(|label| label.contains("instructions")),
        "{top:?}"
    );
    assert!(top.iter().any(|label| label.contains("refund")), "{top:?}");
    assert!(top.iter().any(|label| label.contains("parcel")), "{top:?}");
}

#[test]
fn themes_are_deterministic() {
    let options = ThemeOptions::default();
    assert_eq!(themes(&CORPUS, &options), themes(&CORPUS, &options));
    let mut reordered = CORPUS;
    reordered.reverse();
    let labels = |found: Vec<text::Theme>| {
        let mut labels: Vec<(String, usize)> = found
            .into_iter()
            .map(|theme| (theme.label, theme.volume))
            .collect();
        labels.sort();
        labels
    };
    assert_eq!(
        labels(themes(&CORPUS, &options)),
        labels(themes(&reordered, &options))
    );
}

#[test]
fn key_phrases_prefer_collocations_and_respect_min_texts() {
    let phrases = key_phrases(&CORPUS, &ThemeOptions::default());
    let best: Vec<&str> = phrases.iter().take(3).map(|p| p.phrase.as_str()).collect();
    println!("{best:?}");
    assert!(phrases.iter().all(|p| p.n_texts >= 2));
    assert!(
        phrases.iter().any(|p| p.phrase.contains(' ')),
        "multi-word phrases expected"
    );
    assert!(
        !phrases.iter().any(|p| p.phrase == "still"),
        "weak words never stand alone"
    );
}

#[test]
fn empty_and_tiny_corpora_have_no_themes() {
    assert!(themes(&[], &ThemeOptions::default()).is_empty());
    assert!(themes(&["only one text here"], &ThemeOptions::default()).is_empty());
}
