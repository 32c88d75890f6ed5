#!/usr/bin/env python3
"""Builds the differential-test table tests/vader_expected.tsv.

Generates a deterministic set of varied sentences that exercise every rule of
VADER (lexicon words and emoticons, boosters and dampeners, negations, "no",
"least", "kind of", "never so", "without doubt", idioms, the "but" rule and
its list.index quirk, ALL CAPS, "!" and "?" emphasis, emoji, odd white space
and Unicode case) plus real sentences from the ICWSM-2014 rating tables and
customer-service text, and records the scores of the reference package,
vaderSentiment 3.3.2.

Run with the reference installed:
    python3 -m venv /tmp/vader-venv
    /tmp/vader-venv/bin/pip install vadersentiment==3.3.2
    /tmp/vader-venv/bin/python crates/text/tests/gen_expected.py

Output columns: id, category, compound, pos, neu, neg, text (text escaped:
backslash, tab, newline and carriage return as \\\\, \\t, \\n, \\r).
"""

import os
import random

import vaderSentiment
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    NEGATE,
    SentimentIntensityAnalyzer,
)

assert vaderSentiment.__file__, "vaderSentiment must be importable"

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vader_expected.tsv")
ICWSM = os.path.join(HERE, "data", "icwsm2014")

rng = random.Random(20140601)
analyzer = SentimentIntensityAnalyzer()
LEXICON = sorted(analyzer.lexicon)
WORDS = [w for w in LEXICON if w.isalpha()]
EMOTICONS = [w for w in LEXICON if not any(c.isalpha() for c in w)]
EMOJI = sorted(analyzer.emojis)
SINGLE_EMOJI = [e for e in EMOJI if len(e) == 1]
BOOSTERS = sorted(BOOSTER_DICT)
NEGATIONS = sorted(NEGATE) + ["no", "n't", "Not", "NEVER"]
NOUNS = ["movie", "service", "food", "staff", "app", "product", "delivery",
         "agent", "book", "phone", "refund", "parcel", "website", "hotel",
         "support", "checkout", "manual", "order", "package", "price"]
FILLERS = ["the", "a", "it", "is", "was", "this", "that", "and", "or", "nor",
           "of", "at", "to", "for", "so", "this", "my", "very", "least",
           "kind", "sort", "just", "enough", "doubt", "without", "never",
           "but", "BUT", "But", "yeah", "right", "bus", "stop", "die", "kiss",
           "death", "bad", "ass", "bomb", "shit", "beating", "heart", "no"]
PUNCT = ["", ".", "!", "!!", "!!!!!", "?", "??", "???", "????", "?!", "...",
         ",", ";", ":"]
SERVICE = [
    "I was on hold for 40 minutes",
    "still waiting for my refund",
    "the parcel arrived damaged",
    "third time I'm calling about this",
    "nobody called back",
    "went above and beyond",
    "customer support was no help at all",
    "please call me back, I would like a refund",
    "the set-up instructions are unclear",
    "great, another week without internet",
    "the agent sorted it out in five minutes, thanks!",
    "they charged me twice and never answered my email",
    "Delivery was fast and the driver was friendly",
    "I have been waiting 3 weeks for a reply",
    "Thanks for nothing",
    "Wrong item delivered AGAIN",
    "the app keeps crashing when I pay",
    "Excellent service, will recommend",
    "my package is lost and no one cares",
    "resolved on the first call, very impressed",
]


def pick(seq):
    return seq[rng.randrange(len(seq))]


def maybe_caps(word, p=0.2):
    return word.upper() if rng.random() < p else word


def lexicon_sentences(n):
    out = []
    for _ in range(n):
        word = pick(WORDS)
        noun = pick(NOUNS)
        template = pick([
            "The {n} was {w}{p}",
            "{w}{p}",
            "This {n} is {b} {w}{p}",
            "I {neg} think the {n} is {w}{p}",
            "{w} {n}, {w2} {n2}{p}",
            "What a {w} {n}{p}",
            "{e} {w}{p}",
            "the {n} {neg} {b} {w}{p}",
        ])
        out.append(template.format(
            n=noun, n2=pick(NOUNS), w=maybe_caps(word), w2=maybe_caps(pick(WORDS)),
            b=maybe_caps(pick(BOOSTERS)), neg=pick(NEGATIONS), e=pick(EMOTICONS),
            p=pick(PUNCT)))
    return out


def rule_sentences():
    """Hand-picked sentences for each rule, then systematic combinations."""
    out = [
        "VADER is smart, handsome, and funny.",
        "VADER is smart, handsome, and funny!",
        "VADER is very smart, handsome, and funny.",
        "VADER is VERY SMART, handsome, and FUNNY.",
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "VADER is not smart, handsome, nor funny.",
        "The book was good.",
        "At least it isn't a horrible book.",
        "The book was only kind of good.",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "Today SUX!",
        "Today only kinda sux! But I'll get by, lol",
        "Make sure you :) or :D today!",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "Not bad at all",
        "Sentiment analysis has never been good.",
        "Sentiment analysis has never been this good!",
        "Most automated sentiment analysis tools are shit.",
        "With VADER, sentiment analysis is the shit!",
        "Other sentiment analysis tools can be quite bad.",
        "On the other hand, VADER is quite bad ass",
        "VADER is such a badass!",
        "Without a doubt, excellent idea.",
        "Roger Dodger is one of the most compelling variations on this theme.",
        "Roger Dodger is at least compelling as a variation on the theme.",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "Not such a badass after all.",
        "Without a doubt, an excellent idea.",
        "", " ", "   \t ", "!!!", "???", "good", "GOOD", "Good", ":)", ":D",
        "no good", "no no good", "no way good", "no love or hope", "no love nor hope",
        "not the bomb", "the bomb", "yeah right", "yeah right, great", "kiss of death",
        "a cake to die for", "my beating heart", "bus stop bad", "the shit was great",
        "it was kind of good", "it was sort of bad", "it was just enough good",
        "kind of", "sort of fun", "least good", "the least good", "at least good",
        "very least good", "never so good", "never this bad", "so good", "this good",
        "without doubt good", "without any doubt good", "it is so this bad",
        "good but bad", "good good but bad bad", "bad but good but great",
        "good, but bad", "BUT good", "but", "good but", "but good",
        "great great great but good good", "not good but not bad",
        "😁ok", "ok😁", "ok 😁 ok", "😁😁😁", "I ❤ it", "I ☺ it", "☹", "👍🏻 great",
        "\u00a0good\u00a0", "good\u001fbad", "good\u3000bad", "İSTANBUL is GREAT",
        "ǅungla is nice", "ÉNORME success", "naïve but charming", "it's “great”",
        "GREAT!!!!!!!!", "great?!?!", "bad??", "bad???", "bad????", "BAD bad BAD",
        "NOT GOOD", "not GOOD", "NOT good at all", "VERY good", "VERY GOOD", "very GOOD",
        "hardly good", "barely bad", "KINDA good", "a little bit good", "little good",
        "totally :( ", "very :)", "not :)", "no :(", ":-D", ":-)", "<3", "</3",
        "'good'", "(good)", "...good...", "--bad--", "a.b.c good", "ok.", "it.", "no.",
        "won't like", "wont like", "dont like", "doesn't like", "ain't nice",
        "can't stand it", "fed up", "screwed up", "uh-uh good", "nope good",
    ]
    # Systematic combinations of modifier, negation and target word.
    targets = ["good", "bad", "great", "terrible", "love", "hate", "okay", "fine",
               "helpful", "rude", "happy", "sad", "nice", "awful"]
    modifiers = ["", "very", "extremely", "kind of", "sort of", "slightly",
                 "barely", "so", "this", "VERY", "totally", "just enough"]
    negations = ["", "not", "never", "isn't", "no", "without", "don't", "nor",
                 "hardly", "despite"]
    for target in targets:
        for modifier in modifiers:
            for negation in negations:
                words = [w for w in (negation, modifier, target) if w]
                out.append("It is " + " ".join(words) + pick(PUNCT))
    return out


def but_sentences(n):
    out = []
    values = ["good", "bad", "great", "nice", "awful", "love", "hate", "ok"]
    for _ in range(n):
        left = " ".join(pick(values + ["the", "it", "was", "very"]) for _ in range(rng.randint(1, 4)))
        right = " ".join(pick(values + ["the", "it", "is", "not"]) for _ in range(rng.randint(1, 4)))
        conj = pick(["but", "But", "BUT", "but,", "but...", "however"])
        out.append(f"{left} {conj} {right}{pick(PUNCT)}")
    return out


def emoji_sentences(n):
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 5)):
            r = rng.random()
            if r < 0.35:
                parts.append(pick(SINGLE_EMOJI))
            elif r < 0.45:
                parts.append(pick(EMOJI))
            elif r < 0.55:
                parts.append(pick(SINGLE_EMOJI) + pick(WORDS))
            else:
                parts.append(maybe_caps(pick(WORDS + FILLERS + NOUNS)))
        sep = pick([" ", "", " ", "  "])
        out.append(sep.join(parts) + pick(PUNCT))
    return out


def random_sequences(n):
    """Random word salad over every kind of token VADER treats specially."""
    vocab_kinds = [WORDS, FILLERS, BOOSTERS, NEGATIONS, NOUNS, EMOTICONS]
    weights = [0.35, 0.25, 0.12, 0.1, 0.13, 0.05]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(1, 14)):
            kind = rng.choices(vocab_kinds, weights)[0]
            word = pick(kind)
            r = rng.random()
            if r < 0.12:
                word = word.upper()
            elif r < 0.18:
                word = word.capitalize()
            if rng.random() < 0.12:
                word += pick([",", ".", "!", "?", "!!", "'", '"', ")"])
            if rng.random() < 0.05:
                word = pick(["(", '"', "'", "*"]) + word
            words.append(word)
        out.append(" ".join(words) + pick(PUNCT))
    return out


def icwsm_sentences(per_file):
    out = []
    for name in sorted(os.listdir(ICWSM)):
        if not name.endswith("_GroundTruth.txt"):
            continue
        with open(os.path.join(ICWSM, name), encoding="utf-8", errors="replace") as f:
            rows = [line.rstrip("\r\n").split("\t", 2) for line in f if line.strip()]
        texts = [row[2] for row in rows if len(row) == 3]
        rng.shuffle(texts)
        out.extend((name.split("_")[0], text) for text in texts[:per_file])
    return out


def service_sentences(n):
    out = list(SERVICE)
    for _ in range(n - len(out)):
        base = pick(SERVICE)
        r = rng.random()
        if r < 0.3:
            base = base.upper()
        elif r < 0.5:
            base = base + " " + pick(SERVICE)
        elif r < 0.7:
            base = base + " but " + pick(SERVICE)
        out.append(base + pick(PUNCT))
    return out


def escape(text):
    return (text.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def main():
    rows = []
    rows += [("rule", s) for s in rule_sentences()]
    rows += [("lexicon", s) for s in lexicon_sentences(1200)]
    rows += [("but", s) for s in but_sentences(500)]
    rows += [("emoji", s) for s in emoji_sentences(500)]
    rows += [("random", s) for s in random_sequences(1500)]
    rows += [("service", s) for s in service_sentences(300)]
    rows += icwsm_sentences(500)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("id\tcategory\tcompound\tpos\tneu\tneg\ttext\n")
        for idx, (category, text) in enumerate(rows):
            s = analyzer.polarity_scores(text)
            f.write(f"{idx}\t{category}\t{s['compound']!r}\t{s['pos']!r}\t"
                    f"{s['neu']!r}\t{s['neg']!r}\t{escape(text)}\n")
    print(f"wrote {len(rows)} sentences to {OUT}")


if __name__ == "__main__":
    main()
