//! The deterministic synthetic workload: the same generator as the PouchDB anchor
//! (`shared/anchors/pouchdb/docs.js`: xorshift32, a 600-word vocabulary, ~1,450-character bodies),
//! mapped onto our evidence fields so both sides move records of the same shape and size.

use qar_client::NewEvidence;

/// xorshift32 exactly as docs.js runs it, so the same seed yields the same text.
struct Prng(u32);

impl Prng {
    fn new(seed: u32) -> Prng {
        Prng(if seed == 0 { 0x9e37_79b9 } else { seed })
    }
    fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        f64::from(x) / 4_294_967_296.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() * n as f64).floor() as usize
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ren", "sa", "tor", "vi", "del", "qua", "zen", "bri", "col", "fen", "gar", "hul", "jin", "mor", "nex", "pil", "ros",
    "sul", "tra", "ul", "wy",
];
const ACTIVITIES: [&str; 5] = ["joint_lesson_observation", "learning_walk", "work_scrutiny", "pupil_voice", "leadership_meeting"];
const VERDICTS: [&str; 4] = ["supports", "refutes", "unclear", "duplicate"];
const AREAS: [&str; 3] = ["leadership", "provision_outcomes", "disadvantaged_additional_needs"];

fn sentence(rng: &mut Prng, vocab: &[String], words: usize) -> String {
    let mut out: Vec<&str> = Vec::with_capacity(words);
    for _ in 0..words {
        out.push(&vocab[rng.below(vocab.len())]);
    }
    let s = out.join(" ");
    let mut c = s.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str()),
        None => ".".into(),
    }
}

/// Millisecond timestamp within 2024, as docs.js's `isoAt`.
fn at(rng: &mut Prng) -> i64 {
    const BASE: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z
    BASE + (rng.next() * 86_400_000.0 * 365.0).floor() as i64
}

/// Words of the vocabulary, for search queries that hit real text.
pub struct Workload {
    pub notes: Vec<NewEvidence>,
    pub vocabulary: Vec<String>,
}

/// `n` evidence notes for `review_id`, seed 42 as the anchor uses.
pub fn generate(n: usize, review_id: &str) -> Workload {
    let mut rng = Prng::new(42);
    let vocabulary: Vec<String> = (0..600)
        .map(|_| {
            let parts = 1 + rng.below(3);
            (0..parts).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect::<String>()
        })
        .collect();
    let mut notes = Vec::with_capacity(n);
    for _ in 0..n {
        let mut body = String::new();
        while body.chars().count() < 1450 {
            let words = 6 + rng.below(10);
            body.push_str(&sentence(&mut rng, &vocabulary, words));
            body.push(' ');
        }
        let judgements = 1 + rng.below(3);
        let mut development = Vec::new();
        for _ in 0..judgements {
            let by = rng.below(50);
            let verdict = VERDICTS[rng.below(VERDICTS.len())];
            let weight = (rng.next() * 100.0).round() / 100.0;
            let _ = at(&mut rng);
            development.push(format!("Colleague {by:02} {verdict} this ({weight:.2})."));
        }
        let created = at(&mut rng);
        let case = rng.below(200);
        let title_words = 4 + rng.below(5);
        let title = sentence(&mut rng, &vocabulary, title_words);
        let kind = rng.below(ACTIVITIES.len());
        let reference = rng.below(1_000_000);
        let tags: Vec<usize> = (0..3).map(|_| rng.below(40)).collect();
        let author = rng.below(50);
        let confidence = rng.next();
        let started = chrono::DateTime::from_timestamp_millis(created).unwrap_or_default().format("%Y-%m-%dT%H:%M").to_string();
        let mut areas = vec![AREAS[(confidence * 3.0) as usize % 3].to_owned()];
        if tags[0].is_multiple_of(2) {
            areas.push(AREAS[(areas.len() + tags[0]) % 3].to_owned());
            areas.dedup();
        }
        notes.push(NewEvidence {
            review_id: review_id.to_owned(),
            activity_type: ACTIVITIES[kind].to_owned(),
            started_at: Some(started),
            year_group: format!("Y{}", 1 + tags[1] % 11),
            subject: vocabulary[tags[2]].clone(),
            host_colleague_role: format!("Colleague {author:02}, case {case:04}, ref {reference:06}"),
            area_tags: areas,
            notes: body.trim_end().to_owned(),
            strengths: title,
            development_points: development.join(" "),
        });
    }
    Workload { notes, vocabulary }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_about_two_kilobytes() {
        let a = generate(50, "r");
        let b = generate(50, "r");
        assert_eq!(a.notes, b.notes);
        let mean = a.notes.iter().map(|n| serde_json::to_vec(n).unwrap().len()).sum::<usize>() / 50;
        assert!((1_700..2_400).contains(&mean), "mean JSON size {mean}");
        // Same first vocabulary stream as docs.js (xorshift32 seeded with 42).
        assert!(a.vocabulary.iter().all(|w| !w.is_empty() && w.len() <= 9));
    }
}
