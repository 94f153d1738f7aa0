//! Table tests of the crisis detector's phrase rules, one table per phenomenon they must
//! handle, and (at the end) of the detector as the forum runs it, rules and learned model
//! together. Every sentence here was written for these tests.

use std::sync::OnceLock;

use super::*;

/// The phrase rules alone: the tables test how they read a phrase in its context.
fn detector() -> &'static CrisisDetector {
    static DETECTOR: OnceLock<CrisisDetector> = OnceLock::new();
    DETECTOR.get_or_init(CrisisDetector::rules_only)
}

/// The detector as the forum runs it: the rules and the built-in model.
fn forum_detector() -> &'static CrisisDetector {
    static DETECTOR: OnceLock<CrisisDetector> = OnceLock::new();
    DETECTOR.get_or_init(CrisisDetector::builtin)
}

/// Checks each `(text, tier)` row and reports every failing row at once.
fn check(table: &[(&str, CrisisTier)]) {
    let d = detector();
    let failures: Vec<String> = table
        .iter()
        .filter_map(|(text, want)| {
            let scan = d.scan(text);
            (scan.tier != *want).then(|| {
                let found: Vec<String> =
                    scan.matches.iter().map(|m| format!("{}:{:?}", m.tier.as_str(), m.text)).collect();
                format!("{text:?}: want {}, got {} {found:?}", want.as_str(), scan.tier.as_str())
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// Checks that none of `texts` is flagged at risk.
fn check_not_at_risk(texts: &[&str]) {
    let d = detector();
    let failures: Vec<String> = texts
        .iter()
        .filter_map(|text| {
            let scan = d.scan(text);
            scan.tier.is_at_risk().then(|| {
                let found: Vec<&str> = scan.matches.iter().map(|m| m.phrase.as_str()).collect();
                format!("{text:?}: got {} {found:?}", scan.tier.as_str())
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows escalated:\n{}",
        failures.len(),
        texts.len(),
        failures.join("\n")
    );
}

use CrisisTier::{Concern, Ideation, Imminent, SelfHarm, ThirdParty};

#[test]
fn builtin_lexicon_parses() {
    let (risk, cues) = detector().phrase_counts();
    assert!(risk > 500 && cues > 300, "{risk} risk phrases, {cues} cues");
}

#[test]
fn detector_is_shareable() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<CrisisDetector>();
}

#[test]
fn imminent_plan_means_time_preparation_goodbye_attempt() {
    check(&[
        ("I have a plan and I'm doing it tonight.", Imminent),
        ("i've been stockpiling my pills for weeks now", Imminent),
        ("bought a rope today and i know which tree", Imminent),
        ("my dads rifle is in the garage and i know where the key is", Imminent),
        ("standing on the bridge right now, it's really cold", Imminent),
        ("im on the roof of the car park and nobody knows", Imminent),
        ("lying on the tracks waiting for the last train", Imminent),
        ("I gave away my guitar and wrote letters to my family", Imminent),
        ("this is my last post. goodbye everyone, thank you for trying", Imminent),
        ("i took all my pills about an hour ago", Imminent),
        ("I want to die tonight", Imminent),
        ("wrote my will yesterday, everything is sorted", Imminent),
        ("i want to kill myself, i have the pills right here", Imminent),
        ("set a date for next friday", Imminent),
    ]);
}

#[test]
fn ideation_active_and_passive() {
    check(&[
        ("I want to die", Ideation),
        ("honestly i just wish i could disappear", Ideation),
        ("I hope I don't wake up", Ideation),
        ("everyone would be better off without me", Ideation),
        ("i feel suicidal again", Ideation),
        ("been so suicidal lately", Ideation),
        ("suicidal thoughts again, they won't stop", Ideation),
        ("i dont want to exist anymore", Ideation),
        ("thinking about ending it all", Ideation),
        ("i keep thinking about killing myself", Ideation),
        ("there's no reason to live", Ideation),
        ("why am i still alive", Ideation),
        ("I'm so tired of living like this", Ideation),
        ("I can't stop thinking about killing myself", Ideation),
        ("honestly the only thing keeping me alive is my cat", Ideation),
        ("i keep hoping a car hits me on the way to work", Ideation),
        ("i wish i had cancer so i could die", Ideation),
        ("suicide is all i think about lately", Ideation),
        ("can't wait to not exist", Ideation),
        ("i keep thinking about overdosing", Ideation),
        // A means named makes it imminent.
        ("thinking about overdosing on my meds", Imminent),
        ("#iwanttodie #depressed", Ideation),
    ]);
    check_not_at_risk(&[
        "saving up for a trip to japan so i can die happy",
        "burned myself again on the oven door, i never learn",
    ]);
}

#[test]
fn self_harm_urges_and_acts() {
    check(&[
        ("my wrists are bleeding again", SelfHarm),
        ("i burned myself with a lighter again", SelfHarm),
        ("i cut myself again last night", SelfHarm),
        ("the urge to cut is so strong today", SelfHarm),
        ("I've been burning myself with a lighter", SelfHarm),
        ("relapsed and cut after 3 months", SelfHarm),
        ("sh urges are really bad", SelfHarm),
        ("I want to hurt myself so badly", SelfHarm),
    ]);
}

#[test]
fn third_party_at_risk_now() {
    check(&[
        ("my friend just texted me that she wants to kill herself", ThirdParty),
        ("my sister is cutting herself and won't talk to me", ThirdParty),
        ("my mom keeps saying she wants to die", ThirdParty),
        ("my boyfriend is suicidal and i don't know what to do", ThirdParty),
        ("my roommate is threatening to kill himself", ThirdParty),
        ("i'm scared my sister is going to hurt herself", ThirdParty),
        ("my friend posted a goodbye note last night", ThirdParty),
        ("my roommate has been giving her stuff away", ThirdParty),
        ("someone in my class said they're going to jump off the bridge", ThirdParty),
    ]);
    check_not_at_risk(&[
        "my son is going to jump off the high dive today",
        "she's going to jump at the chance",
        "my coworker sent a goodbye message on her last day",
        "he's giving away all his old toys",
    ]);
    // Someone in general is talk: a question about helping.
    check(&[("what do you say to someone who wants to die?", Concern)]);
}

#[test]
fn concern_talk_not_a_first_person_risk() {
    check(&[
        ("If you're feeling suicidal, call or text 988.", Concern),
        ("suicide rates rose last year, according to the report", Concern),
        ("I used to self harm but I've been clean for two years", Concern),
        ("How can I support a friend who is suicidal?", Concern),
        ("I used to cut myself when I was a teenager", Concern),
        ("I was suicidal years ago and therapy really helped", Concern),
        ("my uncle killed himself when I was little", Concern),
        ("If you are thinking about suicide, please reach out to Samaritans on 116 123", Concern),
        ("he was suicidal back in college but he's doing well", Concern),
    ]);
}

#[test]
fn idioms_lyrics_fiction_gaming_news_do_not_escalate() {
    check_not_at_risk(&[
        "this exam is killing me",
        "I'd die for a coffee right now",
        "i'm dying to see that movie",
        "killed it at the gym today",
        "suicide squad was a terrible movie",
        "that tweet was career suicide",
        "i nearly died laughing",
        "lol i'm dead 💀💀",
        "i want to cut my hair really short",
        "i was killing myself laughing at that meme",
        "i keep killing myself with my own grenades in fortnite",
        "the character kills himself at the end of the book",
        "police say the man died by suicide on tuesday",
        "text HOME to 741741 if you are thinking of suicide",
        "the new song is about wanting to die young",
        "I cut myself shaving this morning",
        "we did suicide sprints at practice",
        "that tackle was suicidal, what was he thinking",
        "this economic policy is suicidal",
        "I could sleep forever after that hike",
        "I want to end it with him, he's been so distant",
        "I want to disappear for a while, no internet, just the mountains",
        "ich lach mich tot",
        "me muero de risa con este video",
        "je suis mort de rire",
        "\"i want to die\" is the best song on the whole album",
    ]);
}

#[test]
fn a_frame_in_the_writers_own_life_does_not_cancel() {
    // "books" and "film" frame a quotation or a plot, not the writer's own sentence
    // about themself or their own things.
    check(&[
        ("i want to die, i can't even read my books anymore", Ideation),
        ("been stockpiling my pills behind my books", Imminent),
        ("i feel suicidal every time i finish a book", Ideation),
        ("i can't stop thinking about killing myself, i even left my film club", Ideation),
    ]);
    // Before the phrase, the writer's own story still frames it.
    check_not_at_risk(&[
        "in my fanfic she keeps saying she wants to kill herself",
        "\"kill myself\" is the film everyone quotes",
    ]);
}

#[test]
fn buried_sentence_in_a_long_post() {
    let mut post = String::new();
    for _ in 0..30 {
        post.push_str("Work was busy again and the train was late, so I got home after seven. ");
    }
    let risk = "I honestly just want to die.";
    post.push_str(risk);
    for _ in 0..30 {
        post.push_str(" We had pasta for dinner and watched a documentary about whales.");
    }
    let scan = detector().scan(&post);
    assert_eq!(scan.tier, Ideation, "{:?}", scan.matches);
    let at = post.find("want to die").expect("written above");
    assert!(
        scan.matches
            .iter()
            .any(|m| m.start <= at && m.end >= at + "want to die".len() && m.text == post[m.start..m.end]),
        "{:?}",
        scan.matches
    );
}

#[test]
fn obfuscation_and_slang() {
    check(&[
        ("i want to k1ll mys3lf", Ideation),
        ("I'm going to commit s u i c i d e", Ideation),
        ("i feel su!c!dal", Ideation),
        ("i want to diiiiiie", Ideation),
        ("I want to k*ll myself", Ideation),
        ("I WANT TO DIE", Ideation),
        ("ｋｉｌｌ ｍｙｓｅｌｆ", Ideation),
        ("i w4nt t0 d1e", Ideation),
        ("i want to unalive myself", Ideation),
        ("thinking about sewerslide", Ideation),
        ("gonna ctb tonight", Imminent),
        ("kms", Ideation),
        ("i just want to s*icide", Concern),
        ("i want to end it all", Ideation),
        ("i want to d.i.e", Ideation),
        ("i wаnt to diе", Ideation),
    ]);
}

#[test]
fn means_with_no_risk_word() {
    check(&[
        ("been saving up my pills for a while", Imminent),
        ("i keep looking at my dads gun", Imminent),
        ("walked to the car park roof again", Imminent),
        ("I'm going to jump off the bridge", Imminent),
        ("i could just walk in front of a train", Imminent),
        ("the noose is in my closet", Imminent),
        ("i keep googling painless ways to die", Imminent),
        ("how many pills would it take to not wake up", Imminent),
        ("my therapist is away and i'm thinking of taking all my pills", Imminent),
        ("i have enough pills saved up now", Imminent),
        ("been saving my sleeping pills in a sock drawer", Imminent),
        ("i just swallowed a whole bottle of paracetamol", Imminent),
        ("i'm in the car with the engine running in the garage", Imminent),
        ("how many pills would it take to not wake up", Imminent),
        ("im at the train tracks behind the school", Imminent),
        ("this week i started giving my stuff away to friends", Imminent),
    ]);
    // The same things in an ordinary life.
    check_not_at_risk(&[
        "i bought a new rope for climbing",
        "these pills saved my life",
        "collecting my pills from the pharmacy tomorrow",
        "took a whole bottle of water on the hike",
        "sitting in the car with the engine running, waiting for mum outside school",
        "how many pills would it take to feel a difference?",
    ]);
}

#[test]
fn negation_that_does_and_does_not_cancel() {
    check(&[
        ("I'm not going to do anything, I just wish I wouldn't wake up", Ideation),
        ("I'm not suicidal but I wish I could disappear", Ideation),
        ("not gonna lie i want to die", Ideation),
        ("I don't know why I want to die", Ideation),
    ]);
    check_not_at_risk(&[
        "I don't want to die, I want to get better",
        "i would never kill myself",
        "I'm not going to kill myself, I promise",
        "i am not suicidal",
        "I'm not feeling suicidal today",
        "je ne veux pas mourir",
        "no quiero morir",
        "ich will nicht sterben",
    ]);
}

#[test]
fn four_languages() {
    check(&[
        ("quiero morir", Ideation),
        ("me quiero matar esta noche", Imminent),
        ("me corto otra vez", SelfHarm),
        ("mi amiga quiere suicidarse", ThirdParty),
        ("ya no quiero vivir", Ideation),
        ("je veux mourir", Ideation),
        ("j'ai envie d'en finir", Ideation),
        ("je me scarifie encore", SelfHarm),
        ("mon ami veut se suicider", ThirdParty),
        ("j'ai des idées suicidaires", Ideation),
        ("ich will nicht mehr leben", Ideation),
        ("Ich ritze mich wieder", SelfHarm),
        ("meine schwester will sich umbringen", ThirdParty),
        ("heute nacht bringe ich mich um", Imminent),
        ("ich möchte sterben", Ideation),
        ("Ich habe Suizidgedanken", Ideation),
        ("no quiero despertarme", Ideation),
        ("no quiero despertar mañana", Imminent),
        ("he estado juntando pastillas", Imminent),
        ("todos estarían mejor sin mí", Ideation),
        ("je pense au suicide tous les jours", Ideation),
        ("j'ai mis de côté des médicaments", Imminent),
        ("je me suis encore scarifiée hier", SelfHarm),
        ("je ne veux plus me réveiller", Ideation),
        ("alle wären besser dran ohne mich", Ideation),
        ("mi hermano dice que se va a suicidar esta noche", ThirdParty),
        ("he regalado todas mis cosas", Imminent),
        ("nadie me echaría de menos", Ideation),
        ("mon copain veut mettre fin à ses jours", ThirdParty),
        ("personne ne remarquerait si je disparaissais", Ideation),
        ("niemand würde mich vermissen", Ideation),
        ("ich bin es leid zu leben", Ideation),
        ("ich springe heute nacht von der brücke", Imminent),
    ]);
    // The same words in ordinary sentences.
    check_not_at_risk(&[
        "no quiero despertar a mi hermano",
        "no quiero despertarme temprano mañana",
        "estoy mejor sin mi ex",
        "si yo no estuviera tan cansada iría",
        "je ne veux plus me réveiller à 6h",
        "je me suis encore coupé le doigt en cuisinant",
        "fangt besser ohne mich an",
        "mi hermano se va a matar de risa cuando lo vea",
    ]);
}

#[test]
fn emoji_as_words() {
    check(&[
        ("i want to 🔪 myself", Ideation),
        ("i want to ⚰️", Ideation),
        ("saving up 💊 for the weekend", Imminent),
        ("i want to 🔫 myself", Ideation),
    ]);
}

#[test]
fn first_person_risk_survives_concern_elsewhere() {
    check(&[
        ("If anyone needs it, the hotline is 988. Honestly I want to kill myself tonight.", Imminent),
        ("Read a news article about suicide rates. I feel suicidal again.", Ideation),
        ("I used to self harm years ago. Now I want to die.", Ideation),
        ("My friend is doing better now. I'm the one who can't stop wanting to die.", Ideation),
    ]);
}

#[test]
fn suicidal_alone_does_not_decide() {
    check(&[
        ("i feel suicidal", Ideation),
        ("im so suicidal rn", Ideation),
        ("my suicidal thoughts are back", Ideation),
        ("suicidal thoughts are common in teens, a new study says", Concern),
        ("people who are suicidal need support, not judgement", Concern),
        ("everyone on my timeline is suicidal today", Concern),
        ("suicidal", Concern),
    ]);
}

#[test]
fn suicidal_thoughts_with_no_one_named_are_the_writers() {
    check(&[
        ("struggling with depression and suicidal thoughts, I can't sleep", Ideation),
        ("i went from laughing to crying to suicidal thoughts in one evening, i'm exhausted", Ideation),
        ("suicidal thoughts, please go away", Ideation),
        ("how do I get over suicidal thoughts?", Ideation),
        ("that suicidal feeling again, i'm losing myself", Ideation),
        ("my sadness and suicidal thoughts are all I have lately", Ideation),
        ("as someone with suicidal ideation, this thread meant a lot", Ideation),
        ("as a person who deals with suicidal thoughts every day I hate this", Ideation),
        ("my mind is full of suicidal thoughts", Ideation),
        ("i'll be suicidal again by the weekend", Ideation),
        ("missed work because i was in the emergency room, suicidal", Ideation),
    ]);
    // Still talk, not a person at risk: others, "you", information, news, negation.
    check(&[
        ("If you're having suicidal thoughts, please call 988.", Concern),
        ("Suicidal thoughts can be a side effect of some medication, ask your doctor.", Concern),
        ("a new study links social media to suicidal thoughts in teens", Concern),
        ("What is suicidal ideation and how is it treated?", Concern),
        ("people with suicidal thoughts deserve kindness", Concern),
    ]);
    check_not_at_risk(&["i don't have suicidal thoughts, just tired of work"]);
}

#[test]
fn another_persons_state_is_third_party() {
    check(&[
        ("she's suicidal and needs help", ThirdParty),
        ("my brother is so suicidal right now", ThirdParty),
        ("my friend is suicidal and I don't know what to do", ThirdParty),
        ("my mum is depressed and suicidal", ThirdParty),
        // Past or a description, not a risk now.
        ("he was suicidal in college but he's fine now", Concern),
        ("his suicidal character dies in the last episode", Concern),
    ]);
}

#[test]
fn things_and_descriptions_are_not_a_person_at_risk() {
    check(&[
        ("pigeons are suicidal", Concern),
        ("this economic policy is suicidal", Concern),
        ("i think this plan is suicidal for the team", Concern),
        ("suicidal people need support, not judgement", Concern),
        ("i can't stand jokes about suicidal behaviour", Concern),
        ("that was a suicidal move by the goalkeeper", Concern),
    ]);
}

#[test]
fn jokes_and_hyperbole_demote_a_borderline_word() {
    check_not_at_risk(&[
        "this traffic makes me suicidal lol 😂",
        "we love an extremely suicidal february lmao 😂",
        "suicidal thoughts about that exam haha",
    ]);
    // A clear first-person statement stays, joke marker or not.
    check(&[("im so suicidal lol", Ideation), ("I feel suicidal lol and I mean it", Ideation)]);
}

#[test]
fn supporters_sharing_hotlines_stay_concern() {
    check(&[
        ("If you're feeling suicidal, please call 988.", Concern),
        ("Anyone feeling suicidal tonight can text HOME to 741741.", Concern),
        ("When someone tells you they are suicidal, listen and stay with them.", Concern),
        ("If you are suicidal, Samaritans are on 116 123.", Concern),
    ]);
}

#[test]
fn generic_you_about_oneself_is_scored_like_an_unnamed_state() {
    // "when you're suicidal" in a post full of the writer's own words is the writer's.
    check(&[
        ("you know when you get that suicidal feeling again and i can't stop crying", Ideation),
        ("it's so hard to keep my job when you're suicidal and i'm this depressed and tired", Ideation),
        ("i can't even explain it to my mum, it's hard to eat when you're suicidal every day", Ideation),
    ]);
    // Advice, jokes and anything but a person's state stay talk.
    check(&[
        ("When you feel suicidal, call or text 988.", Concern),
        ("when you're suicidal lol this song hits different", Concern),
        ("when you want to die, please reach out to someone", Concern),
        ("If you are suicidal, please tell someone you trust.", Concern),
    ]);
}

#[test]
fn a_past_that_came_back_is_present() {
    check(&[
        ("i recovered from suicidal thoughts last year but they came back", Ideation),
        ("back to being suicidal again", Ideation),
        ("i was suicidal years ago and it's back", Ideation),
        ("i used to cut years ago and the urge to cut came back", SelfHarm),
    ]);
    check(&[
        ("i was suicidal years ago and it never came back", Concern),
        ("I used to be suicidal back in high school", Concern),
        ("I was suicidal years ago and therapy really helped", Concern),
    ]);
}

#[test]
fn a_past_told_on_its_own_does_not_take_a_present_risk_with_it() {
    check(&[
        ("i want to die, i remember feeling this way last year too", Ideation),
        ("i want to die and i remember when it was this bad before", Ideation),
    ]);
    check(&[
        ("i wanted to kill myself years ago", Concern),
        ("I felt suicidal back in high school", Concern),
    ]);
}

#[test]
fn another_persons_risk_about_people_in_general_is_talk() {
    check(&[
        ("people who are bullied online sometimes kill themselves", Concern),
        ("if anyone you know wants to end their life, call 988", Concern),
        // "they" can be one person: still someone at risk.
        ("my friend told me they want to kill themselves", ThirdParty),
        ("my cousin keeps saying she wants to kill herself", ThirdParty),
    ]);
}

#[test]
fn degree_and_self_description_make_suicidal_a_state() {
    check(&[
        ("definitely suicidal today", Ideation),
        ("suddenly suicidal and i don't know why", Ideation),
        ("this is the most suicidal i have felt in months", Ideation),
        ("i have so many suicidal thoughts and no one to tell", Ideation),
        ("as a suicidal person, this stuff hits hard", Ideation),
        ("I'm a suicidal person and I'm tired of hiding it", Ideation),
        // About a thing, not a person.
        ("that defensive line is definitely suicidal", Concern),
    ]);
}

#[test]
fn not_suicidal_but_a_passive_wish() {
    // The disclaimer is negated; the wish after it is not.
    check(&[
        ("not suicidal but i don't mind leaving this world early", Ideation),
        ("i'm not suicidal or anything, i just don't like being alive", Ideation),
        ("honestly i wouldn't mind not waking up", Ideation),
        ("i'm not suicidal, i'm just not afraid to die anymore", Ideation),
        ("not suicidal, just tired of pretending to be alive", Ideation),
        ("not suicidal or anything, some days i wish i could cease to be", Ideation),
        ("as someone in my 30s with suicidal thoughts, i'm so tired", Ideation),
        // "not ... for once": the writer is so most days.
        ("i just want to wake up and not feel suicidal for once", Ideation),
    ]);
    check_not_at_risk(&[
        "i'm not suicidal, i just don't like mondays",
        "not suicidal, just tired of this rain",
        "i'm not afraid to die on this hill, the ending was bad",
        "this will cease to be a problem after the update",
    ]);
}

#[test]
fn the_score_range_holds_every_borderline_score() {
    let d = detector();
    let (lowest, highest) = d.score_range();
    assert!(lowest < d.score_threshold() && d.score_threshold() < highest);
    let posts = [
        "suicidal",
        "suicidal thoughts again lol",
        "i feel so suicidal, i'm so tired and alone and i can't cope, i hate myself",
        "my friend and her mom and everyone keep asking if you're suicidal haha lmao",
        "feeling suicidal today",
    ];
    let tiers = |threshold: f32| -> Vec<CrisisTier> {
        let d = d.with_score_threshold(threshold);
        posts.iter().map(|p| d.scan(p).tier).collect()
    };
    assert_eq!(tiers(lowest), tiers(f32::NEG_INFINITY));
    assert_eq!(tiers(highest + 0.01), tiers(f32::INFINITY));
    assert_ne!(tiers(f32::NEG_INFINITY), tiers(f32::INFINITY), "the posts are borderline");
}

#[test]
fn shipped_score_weights_are_the_defaults() {
    // The compiled-in defaults apply to lexicons without a [score] section; keep them the
    // same as en.txt so that replacing en.txt does not silently change the rule.
    assert_eq!(detector().weights, Weights::default());
}

#[test]
fn bad_score_lines_name_file_and_line() {
    let dir = Scratch::new("score");
    for (text, needle) in [
        (
            "[score]
threshold
",
            "name value",
        ),
        (
            "[score]
threshold high
",
            "not a number",
        ),
        (
            "[score]
loudness 3
",
            "unknown score weight",
        ),
    ] {
        dir.write("zz.txt", text);
        let msg = CrisisDetector::from_dir(&dir.0).expect_err(text).to_string();
        assert!(msg.contains("zz.txt:2:") && msg.contains(needle), "{text:?}: {msg}");
    }
    dir.write(
        "zz.txt",
        "[score]
threshold 100
",
    );
    let strict = CrisisDetector::from_dir(&dir.0).expect("loads").with_model(None);
    assert_eq!(strict.scan("suicidal thoughts again").tier, Concern);
    assert_eq!(strict.scan("I want to die").tier, Ideation);

    // The model's operating point lives in [score] too.
    dir.write("zz.txt", "[score]\nmodel_flag 2\nmodel_window_flag 2\n");
    let never = CrisisDetector::from_dir(&dir.0).expect("loads");
    assert_eq!(never.operating_point().flag, 2.0);
    let quiet = "gave my bike to my brother and wrote everyone a letter. tonight i finally get some peace";
    assert!(forum_detector().scan(quiet).tier.is_at_risk());
    assert!(!never.scan(quiet).tier.is_at_risk());
}

#[test]
fn positions_refer_to_the_original_text() {
    let d = detector();
    let cases = [
        ("Well. I want to k1ll mys3lf now", "k1ll mys3lf"),
        ("ok so i feel SUICIDAAAL tbh", "feel SUICIDAAAL"),
        ("é à ü: je veux mourir", "je veux mourir"),
        ("I want to 🔪 myself", "🔪 myself"),
    ];
    for (text, expected) in cases {
        let scan = d.scan(text);
        assert!(
            scan.matches.iter().any(|m| m.text == expected && &text[m.start..m.end] == expected),
            "{text:?}: {:?}",
            scan.matches
        );
    }
}

#[test]
fn scan_post_reads_all_three_fields_without_joining_them() {
    let d = detector();
    assert_eq!(d.scan_post("I want to die", "", "").tier, Ideation);
    assert_eq!(d.scan_post("", "suicidal thoughts", "I had a rough week").tier, Ideation);
    assert_eq!(d.scan_post("", "", "I am going to kill myself tonight").tier, Imminent);
    assert_eq!(d.scan_post("a long week", "", "sleep helped").tier, CrisisTier::None);
    // "want to" in the title and "die" in the body are not one phrase.
    assert_eq!(d.scan_post("i want to", "", "die hard is my favourite film").tier, CrisisTier::None);
    let (title, cw, body) = ("Update", "sh", "I cut myself again");
    let scan = d.scan_post(title, cw, body);
    let joined = post_text(title, cw, body);
    assert!(scan.matches.iter().all(|m| joined[m.start..m.end] == m.text));
}

#[test]
fn scan_serializes_as_a_json_line() {
    let scan = detector().scan("I want to die");
    let json = serde_json::to_value(&scan).expect("serializes");
    assert_eq!(json["tier"], "ideation");
    let m = &json["matches"][0];
    assert_eq!(m["tier"], "ideation");
    assert_eq!(m["text"], "I want to die");
    assert_eq!(m["start"], 0);
    assert_eq!(m["end"], 13);
    assert!(m["phrase"].is_string());
    let none = serde_json::to_string(&detector().scan("lovely weather")).expect("serializes");
    assert_eq!(none, r#"{"tier":"none","matches":[]}"#);
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("forum-crisis-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).expect("write");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn from_dir_adds_removes_and_replaces() {
    let dir = Scratch::new("dir");
    // The rules alone, to see what the files change.
    let from_dir = |dir: &Path| CrisisDetector::from_dir(dir).map(|d| d.with_model(None));
    let base = from_dir(&dir.0).expect("empty dir is the built-in lexicon");
    assert_eq!(base.phrase_counts(), detector().phrase_counts());
    assert!(CrisisDetector::from_dir(&dir.0).expect("loads").has_model(), "the built-in model comes along");
    assert_eq!(base.scan("going to the blue bench").tier, CrisisTier::None);

    dir.write("local.txt", "# local slang\n[imminent]\nthe blue bench\n[ideation]\n!kms\n");
    dir.write("README.md", "not a lexicon");
    let local = from_dir(&dir.0).expect("loads");
    assert_eq!(local.scan("going to the blue bench").tier, Imminent);
    assert_eq!(detector().scan("kms").tier, Ideation);
    assert_eq!(local.scan("kms").tier, CrisisTier::None);

    dir.write("en.txt", "[ideation]\nbanana\n");
    let replaced = from_dir(&dir.0).expect("loads");
    assert_eq!(replaced.scan("banana").tier, Ideation);
    assert_eq!(replaced.scan("i want to kill myself").tier, CrisisTier::None);
    assert_eq!(replaced.scan("quiero morir").tier, Ideation);
}

#[test]
fn bad_data_names_file_and_line() {
    let dir = Scratch::new("bad");
    dir.write("zz.txt", "[ideation]\nfine\n[wrong]\n");
    let err = CrisisDetector::from_dir(&dir.0).expect_err("unknown section");
    let msg = err.to_string();
    assert!(msg.contains("zz.txt:3:") && msg.contains("unknown section"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");

    dir.write("zz.txt", "[ideation]\n...\n");
    let msg = CrisisDetector::from_dir(&dir.0).expect_err("empty phrase").to_string();
    assert!(msg.contains("zz.txt:2:"), "{msg}");

    let missing = CrisisDetector::from_dir(&dir.0.join("nope")).expect_err("missing dir");
    assert!(matches!(missing, CrisisError::Io { .. }), "{missing}");
}

#[test]
fn evaluate_csv_counts_and_ratios() {
    let dir = Scratch::new("eval");
    let path = dir.0.join("mini.csv");
    std::fs::write(
        &path,
        "text,label\n\"i want to die, honestly\",1\nlovely weather today,0\n\"the hotline, 988, is free\",0\ni feel fine,1\nsuicide squad was fun,0\n",
    )
    .expect("write");
    let e = evaluate_csv(detector(), &path).expect("evaluates");
    assert_eq!(e, Evaluation { rows: 5, positives: 2, true_pos: 1, false_pos: 0, false_neg: 1, true_neg: 3 });
    assert!((e.recall() - 0.5).abs() < 1e-9);
    assert!((e.precision() - 1.0).abs() < 1e-9);
    assert!(e.false_positive_rate().abs() < 1e-9);

    std::fs::write(&path, "text,label\nhello,maybe\n").expect("write");
    let msg = evaluate_csv(detector(), &path).expect_err("bad label").to_string();
    assert!(msg.contains("line 2") && msg.contains("maybe"), "{msg}");
    std::fs::write(&path, "body,label\nhello,1\n").expect("write");
    assert!(evaluate_csv(detector(), &path).is_err());
}

/// A development set kept outside the repository (a fresh clone has no `shared/`, so the
/// tests that need one are skipped there). Never trained on.
fn shared_set(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/crisis").join(name);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} not present", path.display());
        None
    }
}

/// The hand-labelled public posts that all contain "suicidal".
fn dev_set() -> Option<Evaluation> {
    dev_set_with(forum_detector())
}

fn dev_set_with(detector: &CrisisDetector) -> Option<Evaluation> {
    let e = evaluate_csv(detector, &shared_set("tweets-suicidal-dev.csv")?).expect("evaluates");
    println!("tweets: {e}");
    assert!(e.rows > 4000, "{e}");
    Some(e)
}

/// The 400 forum-style posts with tier and kind.
fn forum_dev_set() -> Option<train::Report> {
    forum_dev_set_with(forum_detector())
}

fn forum_dev_set_with(detector: &CrisisDetector) -> Option<train::Report> {
    let rows = train::read_labelled_jsonl(&shared_set("forum-dev.jsonl")?).expect("reads");
    let r = train::evaluate_labelled(detector, &rows);
    println!("forum posts:\n{r}");
    assert_eq!(r.overall.rows, 400, "{r}");
    Some(r)
}

/// Misses among the at-risk posts in other languages than English.
fn non_english_misses(r: &train::Report) -> usize {
    r.by_kind.get("non_english").map_or(0, |t| t.at_risk - t.found)
}

/// What the rules and the model reach on the development sets today (see the README),
/// with a little room for the noise of retraining, kept from sliding back.
const TWEETS_RECALL_FLOOR: f64 = 0.85;
const TWEETS_FPR_CEILING: f64 = 0.315;
const FORUM_RECALL_FLOOR: f64 = 0.86;
const FORUM_URGENT_FLOOR: f64 = 0.88;
const FORUM_FPR_CEILING: f64 = 0.165;

/// What the detector reaches on the development sets today, kept from sliding back.
#[test]
fn dev_sets_do_not_regress() {
    if let Some(e) = dev_set() {
        assert!(e.recall() >= TWEETS_RECALL_FLOOR, "{e}");
        assert!(e.false_positive_rate() <= TWEETS_FPR_CEILING, "{e}");
    }
    if let Some(r) = forum_dev_set() {
        assert!(r.overall.recall() >= FORUM_RECALL_FLOOR, "{r}");
        assert!(r.recall_of(&["imminent", "third_party_imminent"]) >= FORUM_URGENT_FLOOR, "{r}");
        assert!(r.overall.false_positive_rate() <= FORUM_FPR_CEILING, "{r}");
        assert!(non_english_misses(&r) <= 2, "{r}");
    }
}

/// The rules alone (what the forum runs unless the operator turns the model on).
#[test]
fn dev_sets_do_not_regress_with_the_rules_alone() {
    if let Some(e) = dev_set_with(detector()) {
        assert!(e.recall() >= 0.820, "{e}");
        assert!(e.false_positive_rate() <= 0.244, "{e}");
    }
    if let Some(r) = forum_dev_set_with(detector()) {
        assert!(r.overall.recall() >= 0.32, "{r}");
        assert!(r.overall.false_positive_rate() <= 0.13, "{r}");
    }
}

/// The targets: on the forum posts recall 0.90, 0.97 on the urgent ones, a false-positive
/// rate of at most 0.10 and at most 2 misses in other languages; on the public posts
/// recall 0.80 at a false-positive rate of at most 0.25. Run with
/// `cargo test -p forum-mod -- --ignored dev_set_targets`.
#[test]
#[ignore = "not all met yet: see dev_sets_do_not_regress and the README's figures"]
fn dev_set_targets() {
    if let Some(e) = dev_set() {
        assert!(e.recall() >= 0.80, "{e}");
        assert!(e.false_positive_rate() <= 0.25, "{e}");
    }
    if let Some(r) = forum_dev_set() {
        assert!(r.overall.recall() >= 0.90, "{r}");
        assert!(r.recall_of(&["imminent", "third_party_imminent"]) >= 0.97, "{r}");
        assert!(r.overall.false_positive_rate() <= 0.10, "{r}");
        assert!(non_english_misses(&r) <= 2, "{r}");
    }
}

/// Checks that every text is flagged at risk, whatever the tier.
fn check_at_risk(texts: &[&str]) {
    let d = forum_detector();
    let failures: Vec<String> = texts
        .iter()
        .filter_map(|text| {
            let scan = d.scan(text);
            (!scan.tier.is_at_risk())
                .then(|| format!("{text:?}: got {} (risk {:?})", scan.tier.as_str(), scan.risk))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows missed:\n{}",
        failures.len(),
        texts.len(),
        failures.join("\n")
    );
}

/// Posts that say it without any phrase a list could hold: the learned model finds them.
/// The first three were missed by the rules alone; the others say the same in other words.
#[test]
fn paraphrases_that_no_phrase_list_holds() {
    for text in KNOWN_MISSES {
        assert!(!detector().scan(text).tier.is_at_risk(), "the rules alone miss {text:?}");
    }
    check_at_risk(&[
        "swallowed the whole strip of my mums sleeping tablets about half an hour ago. everything is going soft and slow",
        "gave my bike to my brother and wrote everyone a letter. tonight i finally get some peace",
        "my boyfriend just messaged 'sorry for everything, look after the dog' and hes not answering",
        "took every one of my dads heart tablets twenty minutes ago and the room wont stop spinning",
        "left my guitar to my cousin and posted the letters this morning. after tonight nobody has to worry about me anymore",
        "relapsed after fourteen months, used a razor from the bathroom cabinet and it keeps bleeding through the towel",
        "my sister texted 'tell mum i love her, im sorry' and now her phone is switched off",
    ]);
}

/// Posts the model scores just under the shipped `model_flag` (0.54 against 0.55).
const KNOWN_MISSES: &[&str] =
    &["first time in 2 years. used the blade from the shaving kit and i cant get it to stop"];

/// Missed today at the shipped operating point; run with `cargo test -p forum-mod --
/// --ignored known_misses`.
#[test]
#[ignore = "missed at the shipped operating point: see KNOWN_MISSES"]
fn known_misses() {
    check_at_risk(KNOWN_MISSES);
}

/// An idiom, an invented lyric and a supporter sharing a hotline stay `none`.
#[test]
fn an_idiom_a_lyric_and_a_hotline_stay_none() {
    let d = forum_detector();
    for text in [
        "this commute is slowly killing me, three trains and a replacement bus",
        "that chorus 'we burn out like paper lanterns' has been stuck in my head all week",
        "if tonight gets heavy for anyone, you can ring 116 123 any time, they are kind and they listen",
    ] {
        let scan = d.scan(text);
        assert_eq!(scan.tier, CrisisTier::None, "{text:?}: {scan:?}");
    }
}

/// A post the model flagged shows the words that weighed most, at their places in the text.
#[test]
fn the_model_says_which_words_weighed_most() {
    let text = "gave my bike to my brother and wrote everyone a letter. tonight i finally get some peace";
    let scan = forum_detector().scan(text);
    assert!(scan.tier.is_at_risk(), "{scan:?}");
    let reasons: Vec<&Match> = scan.matches.iter().filter(|m| m.phrase.starts_with("model: ")).collect();
    assert!(!reasons.is_empty() && reasons.len() <= 3, "{scan:?}");
    for m in reasons {
        assert_eq!(&text[m.start..m.end], m.text);
        assert_eq!(m.tier, scan.tier);
    }
    assert!(scan.risk.is_some_and(|r| r >= forum_detector().operating_point().flag), "{scan:?}");
}

/// Without a model the detector is the rules alone, and says no probability.
#[test]
fn the_rules_alone_give_no_probability() {
    let rules = CrisisDetector::rules_only();
    assert!(!rules.has_model());
    let scan = rules
        .scan("gave my bike to my brother and wrote everyone a letter. tonight i finally get some peace");
    assert_eq!(scan.risk, None);
    assert_eq!(rules.scan("i want to kill myself tonight").tier, CrisisTier::Imminent);
}

/// The built-in model file is valid and small.
#[test]
fn the_builtin_model_loads() {
    let bytes = include_bytes!("../../data/crisis/model.bin");
    assert!(bytes.len() <= 8 * 1024 * 1024, "{} bytes", bytes.len());
    let m = Model::builtin();
    assert_eq!(Model::from_bytes(&m.to_bytes()).expect("round trip").bias, m.bias);
}
