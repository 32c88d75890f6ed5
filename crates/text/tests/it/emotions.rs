//! Emotions through the public API, and the JSON shape the CLI writes.

use text::{Emotion, Mode, emotions, score};

#[test]
fn service_texts_get_journey_emotions() {
    let cases = [
        (
            "Still waiting for my refund, third time I'm asking",
            Emotion::Frustration,
        ),
        (
            "The box was crushed and the glass inside was broken",
            Emotion::Disappointment,
        ),
        ("Your agent was rude and hung up on me", Emotion::Anger),
        ("My parcel seems to be lost, I'm worried", Emotion::Anxiety),
        (
            "The engineer explained everything clearly, very professional",
            Emotion::Trust,
        ),
        ("Love it, so happy with my new phone!", Emotion::Joy),
        ("Wow, it arrived two days early", Emotion::Surprise),
    ];
    for (text, expected) in cases {
        let scores = emotions(text);
        let (dominant, score) = scores.dominant().expect("an emotion is found");
        assert_eq!(dominant, expected, "{text:?}: {scores:?}");
        assert!(score > 0.3, "{text:?}: {scores:?}");
    }
}

#[test]
fn emotions_do_not_depend_on_the_mode() {
    let text = "I was on hold for 40 minutes";
    assert_eq!(
        score(text, Mode::Vader).emotions,
        score(text, Mode::Service).emotions
    );
}

#[test]
fn score_serialises_as_the_cli_contract() {
    let scored = score("The parcel arrived damaged!", Mode::Service);
    let json: serde_json::Value = serde_json::to_value(scored).expect("scores serialise");
    for key in ["compound", "pos", "neu", "neg"] {
        assert!(json[key].is_number(), "{key} missing in {json}");
    }
    for emotion in Emotion::ALL {
        assert!(
            json["emotions"][emotion.as_str()].is_number(),
            "{emotion} missing in {json}"
        );
    }
    assert!(json["compound"].as_f64().expect("number") < 0.0);
}
