//! Throughput of the crisis-language detector on realistic post text.
//!
//! Posts are generated from sentences of the kinds a peer-support forum sees: ordinary
//! life, supportive replies, quoted hotlines, idioms, some obfuscated words, accented
//! text and emoji, and now and then a risk sentence. The generator is a fixed
//! linear-congruential sequence, so every run scans the same bytes.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use forum_mod::crisis::CrisisDetector;

const ORDINARY: &[&str] = &[
    "Work was busy again today and the train was late, so I got home after seven.",
    "My therapist suggested I keep a journal, and honestly it has been helping a bit.",
    "We went for a walk by the river and the dog would not stop chasing the ducks.",
    "Does anyone have tips for sleeping better? I keep waking up at four in the morning.",
    "Thank you all for the kind replies on my last post, it meant a lot to me.",
    "This exam is killing me, I have read the same chapter five times.",
    "I'd die for a decent coffee right now, the machine at work is broken again.",
    "Started a new medication last week, the side effects are mostly gone now.",
    "If anyone here is struggling tonight, Samaritans are on 116 123 and you can text 988 in the US.",
    "My sister visited and we cooked a huge pot of soup, it was really nice.",
    "Sometimes I feel like nobody notices when I'm having a hard day, but this place helps.",
    "Grief comes in waves. Some days are fine, some days I cry in the car park at work.",
    "I finished the book you recommended, the ending really surprised me.",
    "Lol that meme had me dead 💀 thank you for sharing it 😂",
    "Ich hatte heute einen langen Tag, aber der Spaziergang hat gutgetan.",
    "Hoy fue un día difícil, pero hablé con mi hermana y me sentí mejor.",
    "Aujourd'hui j'ai enfin rappelé ma mère, ça faisait longtemps.",
    "Reminder: drink water, eat something, and be gentle with yourselves ❤️",
    "The new game update is amazing, we played for hours last night.",
    "I used to self harm when I was a teenager, it does get better, I promise.",
];

const RISK: &[&str] = &[
    "Honestly I just want to die.",
    "i've been stockpiling my pills and i think tonight is the night",
    "not gonna lie i keep thinking about k1ll1ng mys3lf",
    "I cut myself again last night and I don't know who to tell.",
    "My friend texted me that she wants to kill herself, what do I do?",
    "quiero morir, ya no puedo más",
];

/// A fixed pseudo-random sequence (a 64-bit linear congruential generator).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

/// `count` posts of 4 to 24 sentences; about one post in eight holds a risk sentence.
fn posts(count: usize) -> Vec<String> {
    let mut rng = Lcg(42);
    (0..count)
        .map(|_| {
            let sentences = 4 + rng.next(21);
            let risk_at = (rng.next(8) == 0).then(|| rng.next(sentences));
            let mut post = String::new();
            for i in 0..sentences {
                if i > 0 {
                    post.push(if rng.next(5) == 0 { '\n' } else { ' ' });
                }
                if risk_at == Some(i) {
                    post.push_str(RISK[rng.next(RISK.len())]);
                } else {
                    post.push_str(ORDINARY[rng.next(ORDINARY.len())]);
                }
            }
            post
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let detector = CrisisDetector::builtin();
    let posts = posts(2_000);
    let bytes: usize = posts.iter().map(String::len).sum();
    let flagged = posts.iter().filter(|p| detector.scan(p).tier.is_at_risk()).count();
    println!("{} posts, {} bytes, {} flagged at risk", posts.len(), bytes, flagged);

    let mut group = c.benchmark_group("crisis");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("scan_posts", |b| {
        b.iter(|| {
            let mut at_risk = 0usize;
            for post in &posts {
                at_risk += usize::from(detector.scan(black_box(post)).tier.is_at_risk());
            }
            black_box(at_risk)
        })
    });
    group.finish();

    c.bench_function("crisis/builtin", |b| b.iter(|| black_box(CrisisDetector::builtin())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
