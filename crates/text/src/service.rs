//! Service mode: VADER plus what customers mean when they talk to a company.
//!
//! General-purpose sentiment misses most service failures because they are
//! told as facts — "I was on hold for 40 minutes", "still waiting for my
//! refund", "third time I'm calling" contain no sentiment word — and it
//! misreads service vocabulary as praise: "customer *support*", "*please*
//! call me", "I would *like* a refund", "I was *promised* a callback". Service
//! mode keeps VADER's per-token valences and its scoring, and then
//!
//! 1. neutralises service vocabulary that carries valence by accident
//!    ([`neutralise`]);
//! 2. applies phrase rules ([`RULES`]) of failure and delight: each match
//!    replaces the valences of the words it covers by one valence, fixed or
//!    computed from a duration ("40 minutes" on hold) or a count ("third
//!    time"), and is negated by a negation word just before it when that
//!    makes sense ("didn't arrive damaged");
//! 3. applies the `but` rule by position, as the VADER paper describes it
//!    (the reference's list-index quirk is kept in VADER mode only).
//!
//! Every rule also names the emotion it signals, which `emotion.rs` uses.

use std::sync::LazyLock;

use serde::Serialize;

use crate::Sentiment;
use crate::emotion::Emotion;
use crate::lexicon::{self, N_SCALAR};
use crate::pattern::{
    FirstSlot, Pattern, PatternMatch, Quantities, Vocabulary, Words, is_negation,
};
use crate::pytext::{py_split, py_strip};
use crate::vader::{Tokens, punctuation_emphasis, replace_emoji, score_valences, token_valences};

/// How a rule turns its match into a valence.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Effect {
    /// A fixed valence on VADER's −4…4 scale.
    Fixed(f64),
    /// Waiting for the captured duration (longer is worse).
    Wait,
    /// Like `Wait`, but only a day or more counts ("three weeks without
    /// internet", not "15 minutes without errors").
    LongWait,
    /// Something took the captured duration (only an hour or more hurts).
    Took,
    /// Something was done within the captured duration (short is good).
    Quick,
    /// The captured ordinal or count of repeated contacts.
    Repeat,
}

/// One phrase rule.
struct Rule {
    pattern: &'static str,
    effect: Effect,
    emotion: Emotion,
    /// Whether a negation just before the match negates it. Rules that
    /// contain their own negation ("never arrived") are not negatable.
    negatable: bool,
}

const fn rule(pattern: &'static str, effect: Effect, emotion: Emotion) -> Rule {
    Rule {
        pattern,
        effect,
        emotion,
        negatable: false,
    }
}

const fn negatable(pattern: &'static str, effect: Effect, emotion: Emotion) -> Rule {
    Rule {
        pattern,
        effect,
        emotion,
        negatable: true,
    }
}

use Effect::{Fixed, LongWait, Quick, Repeat, Took, Wait};
use Emotion::{Anger, Anxiety, Disappointment, Frustration, Joy, Surprise, Trust};

/// Words after which a contact, delivery or answer is reported as not
/// happening ("didn't arrive", "never called back"); a macro so that
/// `concat!` can splice it into patterns.
macro_rules! not_happened {
    () => {
        "arrive|arrived|come|came|turn+up|turned+up|show+up|showed+up|call|called|call+back|called+back|rang+back|phoned+back|ring|rang|reply|replied|respond|responded|get+back|got+back|bother+to|bothered+to|bother+ringing|bother+calling|bother+knocking|hear+back|heard+back|hear+anything|heard+anything|hear+from|heard+from|receive|received|deliver|delivered|knock|knocked|materialise|materialised|materialize|materialized|appear|appeared|answer|answered"
    };
}

/// The phrase rules, most specific first: at each word the first rule that
/// matches wins, and matches never overlap. Patterns use the normalised
/// words of `ServiceWords` (lower case, apostrophes removed: "didnt").
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let not_happened_negated = concat!(
        "didnt|doesnt|hasnt|havent|hadnt|wasnt|werent|never|not|still+not|yet+to ~1 ",
        not_happened!()
    );
    let nobody_did = concat!(
        "nobody|noone|no-one|no+one ~3 ",
        not_happened!(),
        "|helped|help|told|tells|warned|mentioned|knows|knew|cares|cared|seems|listens|listening|could|can|has|got|picks|picked|explained|explain|phoned"
    );
    vec![
        // Sarcasm and idioms that flip or carry sentiment words.
        rule(
            "thanks|thank|cheers ?you ?a+lot|very+much for nothing",
            Fixed(-2.5),
            Anger,
        ),
        rule(
            "great|brilliant|fantastic|wonderful|perfect|lovely|marvellous|superb|excellent another",
            Fixed(-2.0),
            Frustration,
        ),
        rule(
            "oh great|brilliant|fantastic|perfect|wonderful",
            Fixed(-1.5),
            Frustration,
        ),
        rule(
            "a|an|is|what ?absolute|complete|total joke",
            Fixed(-2.2),
            Anger,
        ),
        rule("this|that|how ~1 is+how you treat", Fixed(-2.2), Anger),
        rule("above+and+beyond|extra+mile", Fixed(3.0), Joy),
        rule("out+of his|her|their|your way", Fixed(2.5), Trust),
        rule("no+questions+asked", Fixed(1.5), Trust),
        rule(
            "no|zero|without|never+a ?any|single|long wait|waiting|wait+time|queue|queuing|fuss|hassle|problem|problems|issues|issue|complaints|delay|delays",
            Fixed(1.8),
            Joy,
        ),
        rule(
            "hassle-free|hassle+free|painless|effortless|seamless|seamlessly|smooth|smoothly|breeze|flawless|flawlessly|spotless|punctual",
            Fixed(1.8),
            Joy,
        ),
        rule(
            "didnt|dont|did+not|never ~1 have+to wait|need+to+wait|wait+long",
            Fixed(1.8),
            Joy,
        ),
        // Loyalty and its end.
        rule(
            "never|wont|will+not|not ~2 order*|buy*|shop*|use|using|come|coming|recommend* ~3 again",
            Fixed(-2.2),
            Anger,
        ),
        rule(
            "wont|will+not|never ~1 be+back|be+returning|be+using|be+ordering",
            Fixed(-2.2),
            Anger,
        ),
        rule(
            "would|will|ll|definitely|certainly|happily|gladly ?definitely|certainly|happily|gladly|surely order*|buy*|shop*|use|come|recommend*|return ~3 again",
            Fixed(1.8),
            Trust,
        ),
        rule("taking|take my business elsewhere", Fixed(-2.2), Anger),
        rule(
            "im|i+am|we+are|were leaving|switching|cancelling",
            Fixed(-1.5),
            Anger,
        ),
        // Having to do things a customer should not have to do.
        rule(
            "had|have|having|need|needed ~1 to+chase|to+call|to+ring|to+phone|to+email|to+explain|to+repeat|to+follow+up|to+wait|to+go+through",
            Fixed(-1.5),
            Frustration,
        ),
        rule("should+not|shouldnt have+to", Fixed(-1.8), Frustration),
        // Waiting, with and without a duration.
        negatable("on|kept|held|put ~1 hold ~3 @dur", Wait, Frustration),
        negatable(
            "@dur ~2 on+hold|wait|waiting|queue|queuing|queueing|in+the+queue|hold|of+hold",
            Wait,
            Frustration,
        ),
        negatable(
            "wait|waits|waited|waiting|queued|queuing|queueing|sat|spent|wasted|stuck|stayed|trying|tried|chasing ~4 @dur",
            Wait,
            Frustration,
        ),
        negatable("took|takes|taking|taken ~3 @dur", Took, Frustration),
        negatable("take @dur", Took, Frustration),
        rule(
            "@dur later|on+and|and+counting|and+still|without",
            LongWait,
            Frustration,
        ),
        rule(
            "it|its|has|have|it+has|ive|weve|theyve ~1 been ~2 @dur",
            Wait,
            Frustration,
        ),
        rule(
            "that|which|this was ?over|nearly|almost|about @dur ago",
            LongWait,
            Frustration,
        ),
        rule(
            "after|over|for|almost|nearly ~2 @dur ~1 no|not|nothing|yet",
            Wait,
            Frustration,
        ),
        rule("@dur late|overdue", Wait, Disappointment),
        rule(
            "took|take|takes|taking|taken ~2 ages|forever|so+long|too+long|a+long+time",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "how+long ~2 taking|take|takes|wait",
            Fixed(-1.5),
            Frustration,
        ),
        rule(
            "caller|number|position ~1 @num ~3 queue",
            Fixed(-1.5),
            Frustration,
        ),
        rule(
            "caller+number|number+in+the+queue|in+the+queue|in+a+queue",
            Fixed(-1.2),
            Frustration,
        ),
        rule("hold+music|on+hold", Fixed(-1.2), Frustration),
        rule(
            "still+waiting|still+waitin|still+wait|still+chasing",
            Fixed(-2.2),
            Frustration,
        ),
        rule(
            "still ~2 no|not|nothing|havent|hasnt|hadnt|isnt|arent|dont|doesnt|didnt|cant|cannot|without|nobody|unresolved|broken|faulty|missing|pending|stuck|outstanding|being+charged|being+billed|paying|charging|billing|getting|having",
            Fixed(-2.0),
            Frustration,
        ),
        rule(
            "not|isnt|nothing ~1 arrived|received|resolved|fixed|sorted|solved|here+yet|back+yet",
            Fixed(-2.0),
            Disappointment,
        ),
        rule(
            "its+not+here|it+is+not+here|still+not+here|isnt+here",
            Fixed(-2.0),
            Disappointment,
        ),
        rule(
            "didnt|did+not|never ~1 arrive|arrived|come|came ~1 damaged|broken|late|scratched|wet|cold|open|opened",
            Fixed(1.2),
            Trust,
        ),
        rule(not_happened_negated, Fixed(-2.0), Disappointment),
        rule(nobody_did, Fixed(-2.0), Frustration),
        rule(
            "no|zero|without|never+any|never+got+a ?further|single|real|proper reply|replies|response|responses|answer|answers|callback|call+back|call|calls|contact|update|updates|explanation|word|news|sign|luck|refund|card|text|email|follow-up|feedback|apology|information|info|one+came|one+called|one+answered|help|idea|clue",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "never ~1 arrived|came|turned+up|showed+up|materialised|materialized|appeared|received|got|heard|happened|came+back|returned|called|rang|replied|responded|got+back|answered|fixed|resolved",
            Fixed(-2.2),
            Disappointment,
        ),
        rule(
            "nothing ~1 happens|happened|has+happened|was+done|done|sorted|changed|works|worked|back|yet",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "gone|went|is|are|was|were|still ~1 missing|lost|astray|walkabout",
            Fixed(-1.8),
            Anxiety,
        ),
        rule(
            "lost|lose|misplaced ~2 parcel|package|order|delivery|item|items|post|letter|documents",
            Fixed(-2.0),
            Anxiety,
        ),
        // Repeated contact.
        rule(
            "@ord time|call|calls|attempt|email|request|replacement|chat|complaint",
            Repeat,
            Frustration,
        ),
        rule(
            "@num times|attempts|calls|phone+calls|emails|different+people|different+agents|different+departments|replacements",
            Repeat,
            Frustration,
        ),
        rule(
            "called|rang|phoned|emailed|wrote|contacted|chased|reported ~3 twice|repeatedly|again|over+and+over|multiple+times|several+times|many+times",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "yet+again|over+and+over+again|again+and+again|every+single+time",
            Fixed(-1.5),
            Frustration,
        ),
        rule(
            "different ~1 answer|answers|story|stories|response|responses",
            Fixed(-1.5),
            Frustration,
        ),
        // Being passed around, cut off, ignored.
        rule(
            "transferred|passed|bounced|pushed|put+through|shunted|fobbed ~4 department|departments|team|teams|people|person|around|about|between|off|wrong",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "runaround|run-around|round+in+circles|going+round|go+round",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "hung+up|hang+up|hangs+up|put+the+phone+down|cut+off|got+disconnected|was+disconnected|been+disconnected|call+disconnected|dropped+the+call|call+dropped",
            Fixed(-2.0),
            Anger,
        ),
        rule(
            "chasing|chased|chase+up|chase+this|chase+it|chase+you|chase+them",
            Fixed(-1.5),
            Frustration,
        ),
        rule("tired|sick ~1 of", Fixed(-1.5), Frustration),
        rule(
            "trying|tried|try|unable|impossible|cant|cannot|couldnt|could+not ~2 get+through|get+hold|reach+you|reach+anyone|reach+someone|contact+you|contact+anyone|speak+to+anyone|speak+to+someone|speak+to+a+human|talk+to+anyone|talk+to+someone|get+an+answer|get+anyone",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "took|takes|taking|waiting ~2 ages|forever",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "speak|talk|speaking|talking ~1 to ~1 manager|supervisor|someone+in+charge|human|real+person|person|somebody+in+charge",
            Fixed(-1.2),
            Frustration,
        ),
        rule("someone|somebody in+charge", Fixed(-1.2), Anger),
        rule("escalat*", Fixed(-1.0), Frustration),
        rule(
            "make|made|file|filed|raise|raised|formal ~1 complaint",
            Fixed(-1.5),
            Anger,
        ),
        rule(
            "closed|marked ~3 ticket|complaint|case|claim|resolved|solved|complete",
            Fixed(-1.2),
            Anger,
        ),
        rule("relevant team|department", Fixed(-1.0), Frustration),
        rule(
            "do|does|did|is ~1 you|anyone|anybody ~1 actually|even|ever ~1 read|work|care|listen|know|answer",
            Fixed(-1.8),
            Anger,
        ),
        rule(
            "why|how ~1 is|does|do|did|cant|can ~2 so+hard|so+difficult|so+long|take+so|have+to|i+have",
            Fixed(-1.5),
            Frustration,
        ),
        rule(
            "what+is+going+on|whats+going+on|whats+happening|what+is+happening",
            Fixed(-1.5),
            Anxiety,
        ),
        rule(
            "feel|felt ~2 ignored|invisible|unheard|fobbed",
            Fixed(-2.0),
            Anger,
        ),
        rule("ignored|ignoring|fobbed+off", Fixed(-1.8), Anger),
        // Delivery, product and set-up failures.
        negatable(
            "arrived|arrive|came|come|turned+up|delivered|received|got+here|showed+up|turns+up ~2 damaged|broken|smashed|crushed|cracked|dented|bent|wet|soaked|soaking|open|opened|torn|ripped|split|leaking|leaked|late|cold|defective|faulty|used|scratched|snapped|missing|incomplete|stone|warm|squashed|melted|rotten|empty|wrong",
            Fixed(-2.2),
            Disappointment,
        ),
        negatable(
            "was|were|is|are ~2 damaged|broken|smashed|crushed|cracked|dented|bent|soaked|torn|ripped|leaking|leaked|defective|faulty|scratched|snapped|missing|incomplete|squashed|melted|rotten|wrong|late|stone+cold",
            Fixed(-2.2),
            Disappointment,
        ),
        negatable(
            "cracked|smashed|dented|leaking|scratched|scratches|scuffed|squashed|shattered|stained",
            Fixed(-1.5),
            Disappointment,
        ),
        negatable(
            "stopped|stops|quit|quits ~1 working|charging|responding|turning+on|heating",
            Fixed(-2.2),
            Disappointment,
        ),
        rule(
            "doesnt|does+not|didnt|did+not|wont|will+not|wouldnt|isnt|not|never|cant|cannot ~2 work|working|works|worked|fit|fits|turn+on|switch+on|open|load|charge|connect|start|line+up|accept|match|recognise|recognize",
            Fixed(-2.0),
            Frustration,
        ),
        rule(
            "they|you|he|she|it ~1 keeps|kept|keep ~1 telling|saying|asking|sending|giving",
            Fixed(-1.5),
            Frustration,
        ),
        rule(
            "keeps|kept|keep ~1 crashing|freezing|failing|dropping|breaking|logging|disconnecting|cutting|rejecting",
            Fixed(-1.8),
            Frustration,
        ),
        negatable(
            "crashes|crashing|crashed|freezes|freezing|froze|glitch|glitches|glitchy|buggy|laggy|unusable|unreadable|illegible",
            Fixed(-1.5),
            Frustration,
        ),
        negatable(
            "timed+out|times+out|logged+me+out|kicked+me+out|wouldnt+accept|wont+accept|error+message",
            Fixed(-1.5),
            Frustration,
        ),
        negatable(
            "packed+up|fell+apart|came+apart|gave+up|gave+out|falling+apart|broke+down|broken+down",
            Fixed(-2.0),
            Disappointment,
        ),
        negatable(
            "wrong ~1 item|items|size|colour|color|order|address|amount|product|one|model|part|parts|door|house|team|department|person|thing|information|info|bill|price",
            Fixed(-2.2),
            Anger,
        ),
        negatable(
            "missing ~1 item|items|part|parts|pieces|piece|screws|screw|bits|components|accessories|pages",
            Fixed(-1.8),
            Disappointment,
        ),
        rule("someone+elses|somebody+elses", Fixed(-1.8), Anger),
        rule(
            "nothing|not ~1 like ~2 picture|pictures|photo|photos|image|images|description|advertised|described|website|expected|ordered",
            Fixed(-2.0),
            Disappointment,
        ),
        rule(
            "not|isnt|wasnt|nothing ~1 what ~2 ordered|expected|asked|paid|wanted|advertised",
            Fixed(-2.0),
            Disappointment,
        ),
        negatable(
            "not|isnt|wasnt as ~1 described|advertised|pictured|expected",
            Fixed(-2.0),
            Disappointment,
        ),
        rule(
            "missed|failed ~1 delivery|appointment|call|slot|deadline|callback",
            Fixed(-1.8),
            Disappointment,
        ),
        rule(
            "left|threw|thrown|chucked|dumped|tossed ~4 rain|outside|doorstep|fence|bin|neighbour|neighbor|porch|garden",
            Fixed(-1.8),
            Anger,
        ),
        rule("left|put|posted ~2 card", Fixed(-0.8), Disappointment),
        rule(
            "attempted|tried+to ~1 deliver|delivery",
            Fixed(-1.0),
            Frustration,
        ),
        rule(
            "nobody|noone|not|wasnt|no+one ~1 was ~1 home|in",
            Fixed(-1.2),
            Anger,
        ),
        rule(
            "says|said|shows|showing|marked|claims|claimed ~2 delivered",
            Fixed(-1.2),
            Anxiety,
        ),
        rule(
            "stuck|hasnt+moved|not+moved|not+updated|hasnt+updated|same+update|same+status|no+movement",
            Fixed(-1.8),
            Anxiety,
        ),
        rule(
            "should+have|shouldve|should+of|supposed+to|meant+to|was+due+to|were+due+to|was+due ~3 arrive|arrived|be+here|been+here|come|be+delivered|been+delivered|here",
            Fixed(-1.5),
            Disappointment,
        ),
        rule(
            "is|was|are|were|arrived|came|delivered|running|very|so|too|always|been|still ~1 late|delayed|overdue",
            Fixed(-1.2),
            Disappointment,
        ),
        rule(
            "delayed|delay|delays|behind+schedule",
            Fixed(-1.2),
            Disappointment,
        ),
        negatable(
            "instructions|instruction|manual|guide|diagram|diagrams|setup|set-up|set+up|assembly|directions|leaflet|booklet ~3 unclear|confusing|useless|wrong|impossible|hard|difficult|missing|incomplete|tiny|vague|rubbish|terrible|nonsense|poor|awful|unreadable|baffling|complicated",
            Fixed(-2.0),
            Frustration,
        ),
        rule(
            "make|makes|made|making no+sense|zero+sense|little+sense",
            Fixed(-1.8),
            Frustration,
        ),
        rule(
            "doesnt|does+not|didnt|did+not|dont ~1 make+sense|match|add+up",
            Fixed(-1.8),
            Frustration,
        ),
        negatable(
            "impossible|hard|difficult|no+way|confusing|unclear|tricky ~1 to ~1 follow|understand|read|use|cancel|find|reach|contact|get|navigate|assemble|build|set|put",
            Fixed(-1.8),
            Frustration,
        ),
        // Billing.
        negatable(
            "charged|billed|debited|charging|billing ~3 twice|double|two+times|three+times|wrong|again|extra|more",
            Fixed(-2.2),
            Anger,
        ),
        negatable(
            "double+charged|double-charged|overcharged|over-charged|overbilled|over+charged|charged+twice",
            Fixed(-2.2),
            Anger,
        ),
        negatable(
            "hidden|extra|unexpected|surprise|additional|cancellation|exit|admin|late ~1 fee|fees|charge|charges|cost|costs",
            Fixed(-1.8),
            Anger,
        ),
        negatable(
            "price|prices|bill|bills|tariff|premium|cost|costs ~2 went+up|increase|increased|rise|risen|rose|hike|higher|doubled",
            Fixed(-1.5),
            Anger,
        ),
        rule(
            "without ?any notice|warning|telling|asking|explanation|consent",
            Fixed(-1.5),
            Anger,
        ),
        rule(
            "want|like|demand|need|expect ~2 refund|money+back|compensation|full+refund",
            Fixed(-1.5),
            Anger,
        ),
        rule(
            "refund|money|payment ~3 wrong|incorrect|short",
            Fixed(-1.8),
            Anger,
        ),
        // Staff.
        negatable(
            "rude|dismissive|condescending|unhelpful|incompetent|clueless|arrogant|patronising|patronizing|abrupt|sarcastic|uninterested|unprofessional",
            Fixed(-2.2),
            Anger,
        ),
        rule(
            "not|arent|werent|isnt|wasnt|poorly|badly ~1 trained",
            Fixed(-1.8),
            Anger,
        ),
        rule("no|zero|not+a idea|clue", Fixed(-1.5), Frustration),
        // Delight: speed, punctuality, care, fixes.
        negatable(
            "fixed|sorted|solved|resolved|answered|replied|responded|done|delivered|arrived|refunded|back|processed|repaired|installed|through|came|replaced|credited|dispatched|shipped ~4 in|within|under ~2 @dur",
            Quick,
            Joy,
        ),
        negatable(
            "on|at|in ?the first+call|first+time|first+go|first+try|first+attempt|first+ring|first+contact",
            Fixed(1.5),
            Trust,
        ),
        negatable(
            "quick|fast|speedy|prompt|rapid|swift|efficient ~1 delivery|shipping|postage|dispatch|response|reply|replies|service|refund|turnaround|repair|installation|resolution|answer|process|and",
            Fixed(1.5),
            Joy,
        ),
        negatable(
            "so|very|really|super|was|were|is|arrived|came|delivered quick|fast|speedy|prompt",
            Fixed(1.2),
            Joy,
        ),
        negatable(
            "same+day|next+day|same-day|next-day|overnight|in+no+time|no+time+at+all|straight+away|right+away|immediately|instantly|promptly|speedily|swiftly|quickly|efficiently",
            Fixed(1.2),
            Joy,
        ),
        negatable(
            "on+time|on+schedule|as+promised|when+you+said|as+described|exactly+as|as+advertised|when+promised",
            Fixed(1.5),
            Trust,
        ),
        negatable(
            "arrived|came|delivered|here|turned+up ~2 early|earlier|ahead+of+schedule",
            Fixed(1.8),
            Surprise,
        ),
        negatable("@dur early|earlier", Fixed(1.8), Surprise),
        negatable(
            "followed+up|follow-up+call|follow+up+call|called+to+check|rang+to+check|phoned+to+check|checking+in|checked+in|check+in|called+back|rang+back|phoned+back|got+back+to+me|kept+me+informed|kept+me+updated|kept+me+posted",
            Fixed(1.5),
            Trust,
        ),
        negatable(
            "well|carefully|beautifully|nicely|securely|perfectly ~1 packed|packaged|wrapped|boxed",
            Fixed(1.8),
            Joy,
        ),
        negatable(
            "perfect|mint|great|good|excellent|pristine ~1 condition",
            Fixed(1.8),
            Joy,
        ),
        negatable(
            "just|now|everything worked|works|working ?perfectly|fine|again|great",
            Fixed(1.5),
            Joy,
        ),
        negatable(
            "straight+out+of+the+box|right+out+of+the+box|worked+out+of+the+box|works+out+of+the+box|works+fine|worked+fine|works+great|works+perfectly|worked+perfectly|works+a+treat|worked+a+treat|working+again|works+again|up+and+running",
            Fixed(1.5),
            Joy,
        ),
        rule(
            "saying|said|says|claimed|claiming|claims|marked|marking ~3 resolved|fixed|sorted|solved|complete|completed",
            Fixed(-1.5),
            Anger,
        ),
        negatable(
            "problem|problems|issue|issues|fault|query|it|everything|that ?was|is|got|been solved|sorted|fixed|resolved|dealt+with|sorted+out",
            Fixed(2.0),
            Trust,
        ),
        negatable(
            "sorted|solved|resolved|fixed|sorting|fixing|solving|resolving",
            Fixed(1.2),
            Trust,
        ),
        negatable(
            "money+back|got+my+money|refund+came|refunded|refund+processed|refund+was+processed",
            Fixed(1.0),
            Trust,
        ),
        negatable(
            "explained|explaining ~3 clearly|everything|patiently|step|simply",
            Fixed(1.8),
            Trust,
        ),
        negatable(
            "knowledgeable|patient|polite|courteous|attentive|reassuring|reassured|informative|thorough|tidy|careful|professional",
            Fixed(1.5),
            Trust,
        ),
        negatable(
            "picked+up|answered ~3 first+ring|straight+away|immediately|right+away|within",
            Fixed(1.8),
            Joy,
        ),
    ]
});

/// Rule indices by what they can start with, so that each word is tried
/// only against rules that can match there.
struct RuleIndex {
    vocabulary: Vocabulary,
    /// Rules by the vocabulary id of a word they can start with.
    by_first_word: Vec<Vec<usize>>,
    at_duration: Vec<usize>,
    at_count: Vec<usize>,
    at_ordinal: Vec<usize>,
    anywhere: Vec<usize>,
    patterns: Vec<Pattern>,
}

static RULE_INDEX: LazyLock<RuleIndex> = LazyLock::new(|| {
    let mut vocabulary = Vocabulary::default();
    let patterns: Vec<Pattern> = RULES
        .iter()
        .map(|rule| Pattern::compile(rule.pattern, &mut vocabulary))
        .collect();
    let mut index = RuleIndex {
        by_first_word: vec![Vec::new(); vocabulary.len()],
        vocabulary,
        at_duration: Vec::new(),
        at_count: Vec::new(),
        at_ordinal: Vec::new(),
        anywhere: Vec::new(),
        patterns: Vec::new(),
    };
    for (rule_idx, pattern) in patterns.iter().enumerate() {
        match pattern.first_slot() {
            FirstSlot::Words(firsts) => {
                for word_id in firsts {
                    index.by_first_word[word_id as usize].push(rule_idx);
                }
            }
            FirstSlot::Duration => index.at_duration.push(rule_idx),
            FirstSlot::Count => index.at_count.push(rule_idx),
            FirstSlot::Ordinal => index.at_ordinal.push(rule_idx),
            FirstSlot::Anything => index.anywhere.push(rule_idx),
        }
    }
    index.patterns = patterns;
    index
});

/// A rule that fired, for sentiment and emotions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cue {
    pub(crate) emotion: Emotion,
    /// The valence the match contributes (after negation), VADER scale.
    pub(crate) valence: f64,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The normalised words of a text, one per VADER token, and sentence ends.
pub(crate) struct ServiceWords {
    pub(crate) words: Vec<String>,
    /// Pattern-vocabulary id of each word.
    pub(crate) ids: Vec<u32>,
    pub(crate) sentence_end: Vec<bool>,
    pub(crate) quantities: Quantities,
}

impl ServiceWords {
    /// Lower case, surrounding punctuation removed, apostrophes dropped.
    /// Built from the VADER tokens of the same text (whose lower-cased
    /// forms are reused) and the raw words (whose punctuation tells where
    /// sentences end).
    pub(crate) fn new(prepared: &str, tokens: &Tokens<'_>) -> ServiceWords {
        let mut words = Vec::with_capacity(tokens.len());
        let mut sentence_end = Vec::with_capacity(tokens.len());
        for (token, lower) in py_split(prepared).zip(&tokens.lower) {
            let core = lower.trim_matches(|c: char| !c.is_alphanumeric());
            let word = if core.contains(['\'', '’']) {
                core.chars().filter(|&c| c != '\'' && c != '’').collect()
            } else {
                core.to_owned()
            };
            words.push(word);
            sentence_end.push(token.ends_with(['.', '!', '?', ';']));
        }
        let quantities = Quantities::of(&words);
        let vocabulary = &RULE_INDEX.vocabulary;
        let ids = words.iter().map(|word| vocabulary.id_of(word)).collect();
        ServiceWords {
            words,
            ids,
            sentence_end,
            quantities,
        }
    }

    fn get(&self, idx: usize) -> &str {
        self.words.get(idx).map_or("", String::as_str)
    }

    fn prev(&self, idx: usize) -> &str {
        idx.checked_sub(1).map_or("", |prev_idx| self.get(prev_idx))
    }
}

/// A service phrase found in a text: what service mode saw and how it
/// weighed it, for analysts who ask why a text scored as it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServicePhrase {
    /// The words matched, normalised (lower case, no apostrophes).
    pub phrase: String,
    /// The valence it contributes, on VADER's −4…4 scale, after negation.
    pub valence: f64,
    /// The emotion it signals.
    pub emotion: Emotion,
}

/// The service phrases that service mode finds in a text, in text order.
pub fn service_phrases(text: &str) -> Vec<ServicePhrase> {
    let analysis = analyse(text);
    analysis
        .cues
        .iter()
        .map(|cue| ServicePhrase {
            phrase: analysis.words.words[cue.start..cue.end].join(" "),
            valence: cue.valence,
            emotion: cue.emotion,
        })
        .collect()
}

/// The full analysis of one text in service mode.
pub(crate) struct ServiceAnalysis {
    pub(crate) sentiment: Sentiment,
    pub(crate) words: ServiceWords,
    pub(crate) cues: Vec<Cue>,
}

/// Scores a text in service mode.
pub(crate) fn polarity_scores(text: &str) -> Sentiment {
    analyse(text).sentiment
}

/// Scores a text in service mode and keeps the words and rule cues.
pub(crate) fn analyse(text: &str) -> ServiceAnalysis {
    let without_emoji = replace_emoji(text);
    let prepared = py_strip(&without_emoji);
    let tokens = Tokens::new(prepared);
    let mut valences = token_valences(&tokens);
    let words = ServiceWords::new(prepared, &tokens);
    debug_assert_eq!(words.words.len(), valences.len(), "one word per token");
    neutralise(&words, &mut valences);
    let cues = find_cues(&words);
    for cue in &cues {
        // A phrase replaces the valences it covers, unless they already say
        // the same more strongly (boosters, capitals: "SO difficult to get").
        let covered: f64 = valences[cue.start..cue.end].iter().sum();
        let valence =
            if covered.signum() == cue.valence.signum() && covered.abs() > cue.valence.abs() {
                covered
            } else {
                cue.valence
            };
        valences[cue.start..cue.end].fill(0.0);
        valences[cue.start] = valence;
    }
    but_rule_positional(&words, &mut valences);
    let sentiment = score_valences(&valences, punctuation_emphasis(prepared));
    ServiceAnalysis {
        sentiment,
        words,
        cues,
    }
}

/// Removes valence that service vocabulary carries by accident.
fn neutralise(words: &ServiceWords, valences: &mut [f64]) {
    for (idx, valence) in valences.iter_mut().enumerate() {
        if *valence == 0.0 {
            continue;
        }
        let next = words.get(idx + 1);
        let prev = words.prev(idx);
        let accidental = match words.get(idx) {
            // Politeness in a request ("please send me…", "…address please."),
            // not praise; an appeal like "please spread" keeps its valence.
            "please" => {
                words.sentence_end[idx]
                    || idx + 1 == words.words.len()
                    || matches!(
                        next,
                        "send"
                            | "call"
                            | "ring"
                            | "cancel"
                            | "stop"
                            | "change"
                            | "update"
                            | "confirm"
                            | "check"
                            | "tell"
                            | "let"
                            | "advise"
                            | "help"
                            | "contact"
                            | "reply"
                            | "respond"
                            | "email"
                            | "refund"
                            | "fix"
                            | "sort"
                            | "explain"
                            | "provide"
                            | "arrange"
                            | "remove"
                            | "add"
                            | "note"
                            | "reset"
                            | "get"
                            | "give"
                            | "can"
                            | "could"
                            | "phone"
                    )
            }
            // "customer support", "support team": the department's name.
            "support" => {
                matches!(
                    prev,
                    "customer"
                        | "tech"
                        | "technical"
                        | "it"
                        | "product"
                        | "phone"
                        | "online"
                        | "chat"
                        | "live"
                        | "your"
                        | "contacted"
                        | "call"
                        | "called"
                        | "calling"
                        | "email"
                        | "emailed"
                        | "contact"
                        | "rang"
                        | "phoned"
                ) || matches!(
                    next,
                    "team"
                        | "agent"
                        | "agents"
                        | "line"
                        | "ticket"
                        | "desk"
                        | "staff"
                        | "page"
                        | "centre"
                        | "center"
                        | "chat"
                        | "number"
                        | "email"
                        | "people"
                        | "person"
                        | "department"
                )
            }
            // "I would like …": a request.
            "like" => matches!(
                prev,
                "would" | "d" | "id" | "wed" | "youd" | "theyd" | "should" | "might"
            ),
            // "help desk", "can you help me".
            "help" => {
                matches!(
                    next,
                    "desk" | "line" | "centre" | "center" | "page" | "pages" | "section"
                ) || (matches!(next, "me" | "us")
                    && matches!(prev, "you" | "please" | "someone" | "somebody" | "pls"))
            }
            "care" => matches!(prev, "customer" | "customers"),
            "credit" => matches!(next, "card" | "note" | "check") || prev == "store",
            // Usually a promise that was broken; the breaking is scored.
            "promised" => true,
            "interest" => matches!(next, "rate" | "rates" | "free" | "charged"),
            "kind" | "warm" | "best" => {
                matches!(
                    next,
                    "regards" | "wishes" | "way" | "number" | "time" | "place" | "option"
                )
            }
            "thanks" | "thank" => next == "in" && words.get(idx + 2) == "advance",
            "cancel" | "stop" => prev == "please",
            "well" => prev == "as",
            // "account number", "call me on this number".
            "number" => true,
            // "clearly aren't trained": emphasis of what follows.
            "clearly" => is_negation(next),
            "top" => next == "up",
            // "pretty bad", "pretty quick": an intensifier, not "beautiful".
            "pretty" => {
                lexicon::contains(next)
                    || matches!(
                        next,
                        "much" | "sure" | "quick" | "fast" | "slow" | "late" | "long"
                    )
            }
            _ => false,
        };
        if accidental {
            *valence = 0.0;
        }
    }
}

/// Finds non-overlapping rule matches from left to right.
fn find_cues(words: &ServiceWords) -> Vec<Cue> {
    let index = &*RULE_INDEX;
    let view = Words {
        words: &words.words,
        ids: &words.ids,
        sentence_end: &words.sentence_end,
        quantities: &words.quantities,
    };
    let mut cues = Vec::new();
    let mut candidates: Vec<usize> = Vec::with_capacity(16);
    let mut pos = 0;
    while pos < words.words.len() {
        candidates.clear();
        if let Some(rule_ids) = index.by_first_word.get(words.ids[pos] as usize) {
            candidates.extend_from_slice(rule_ids);
        }
        if words.quantities.duration[pos].is_some() {
            candidates.extend_from_slice(&index.at_duration);
        }
        if words.quantities.count[pos].is_some() {
            candidates.extend_from_slice(&index.at_count);
        }
        if words.quantities.ordinal[pos].is_some() {
            candidates.extend_from_slice(&index.at_ordinal);
        }
        candidates.extend_from_slice(&index.anywhere);
        candidates.sort_unstable();
        let found = candidates.iter().find_map(|&rule_idx| {
            index.patterns[rule_idx]
                .match_at(&view, pos)
                .map(|found| (rule_idx, found))
        });
        match found {
            Some((rule_idx, found)) => {
                if let Some(cue) = cue_of(&RULES[rule_idx], found, words) {
                    cues.push(cue);
                }
                pos = found.end.max(pos + 1);
            }
            None => pos += 1,
        }
    }
    cues
}

/// The valence and emotion of one match, or `None` when it carries none
/// (a two-minute wait, a delivery "within 3 weeks").
fn cue_of(rule: &Rule, found: PatternMatch, words: &ServiceWords) -> Option<Cue> {
    let quantity = found.quantity.unwrap_or(0.0);
    let mut valence = match rule.effect {
        Effect::Fixed(valence) => valence,
        Effect::Wait => wait_valence(quantity),
        Effect::LongWait if quantity >= DAY_SECS => wait_valence(quantity),
        Effect::LongWait => 0.0,
        Effect::Took => took_valence(quantity),
        Effect::Quick => quick_valence(quantity),
        Effect::Repeat => repeat_valence(quantity),
    };
    if valence == 0.0 {
        return None;
    }
    if rule.negatable && is_negated(words, found.start) {
        valence *= N_SCALAR;
    }
    let emotion = if valence > 0.0 && rule.emotion.is_negative() {
        Emotion::Trust
    } else if valence < 0.0 && !rule.emotion.is_negative() {
        Emotion::Disappointment
    } else {
        rule.emotion
    };
    Some(Cue {
        emotion,
        valence,
        start: found.start,
        end: found.end,
    })
}

/// Whether one of the three words before `start`, in the same sentence, is a
/// negation.
fn is_negated(words: &ServiceWords, start: usize) -> bool {
    (1..=3).any(|back| {
        let Some(idx) = start.checked_sub(back) else {
            return false;
        };
        let crosses_sentence = (idx..start).any(|between| words.sentence_end[between]);
        !crosses_sentence && words.quantities.negation[idx]
    })
}

const MINUTE_SECS: f64 = 60.0;
const HOUR_SECS: f64 = 3600.0;
const DAY_SECS: f64 = 86_400.0;

/// Valence of waiting `secs`: minutes count on the phone, days for
/// deliveries and refunds, so the scale restarts at one day.
fn wait_valence(secs: f64) -> f64 {
    match secs {
        s if s < 3.0 * MINUTE_SECS => 0.0,
        s if s < 10.0 * MINUTE_SECS => -1.0,
        s if s < 30.0 * MINUTE_SECS => -1.8,
        s if s < 2.0 * HOUR_SECS => -2.5,
        s if s < DAY_SECS => -2.8,
        s if s < 3.0 * DAY_SECS => -1.5,
        s if s < 7.0 * DAY_SECS => -2.0,
        s if s < 21.0 * DAY_SECS => -2.4,
        _ => -2.8,
    }
}

/// Valence of a task that took `secs`: set-up in ten minutes is fine.
fn took_valence(secs: f64) -> f64 {
    if secs < HOUR_SECS {
        0.0
    } else {
        wait_valence(secs)
    }
}

/// Valence of something done within `secs`.
fn quick_valence(secs: f64) -> f64 {
    match secs {
        s if s <= 15.0 * MINUTE_SECS => 1.8,
        s if s <= HOUR_SECS => 1.2,
        s if s <= DAY_SECS => 1.5,
        s if s <= 3.0 * DAY_SECS => 1.2,
        _ => 0.0,
    }
}

/// Valence of the n-th contact or n contacts about one issue.
fn repeat_valence(n: f64) -> f64 {
    if n >= 3.0 {
        -2.0
    } else if n >= 2.0 {
        -1.2
    } else {
        0.0
    }
}

/// The contrastive `but` rule by position: valences before the first "but"
/// are halved, those after it count 1.5 times.
fn but_rule_positional(words: &ServiceWords, valences: &mut [f64]) {
    let Some(but_idx) = words.words.iter().position(|word| word == "but") else {
        return;
    };
    for (idx, valence) in valences.iter_mut().enumerate() {
        if idx < but_idx {
            *valence *= 0.5;
        } else if idx > but_idx {
            *valence *= 1.5;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        assert_eq!(RULE_INDEX.patterns.len(), RULES.len());
    }

    #[test]
    fn durations_scale_waiting() {
        assert_eq!(wait_valence(120.0), 0.0);
        assert!(wait_valence(40.0 * 60.0) < wait_valence(5.0 * 60.0));
        assert!(quick_valence(5.0 * 60.0) > 0.0);
        assert_eq!(quick_valence(30.0 * DAY_SECS), 0.0);
    }
}
