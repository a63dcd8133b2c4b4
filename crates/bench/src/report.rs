//! One row per measure, printed as a table and written as JSON:
//! `{"machine", "date", "rows": [{"name", "ours", "anchor", "unit", "ratio", "goal", "met"}]}`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    pub ours: f64,
    pub anchor: Option<f64>,
    pub unit: String,
    /// How many times better ours is than the anchor (for times: anchor / ours).
    pub ratio: Option<f64>,
    pub goal: String,
    pub met: Option<bool>,
}

impl Row {
    pub fn new(name: &str, ours: f64, unit: &str, goal: &str, met: Option<bool>) -> Row {
        Row { name: name.into(), ours, anchor: None, unit: unit.into(), ratio: None, goal: goal.into(), met }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: String,
    pub date: String,
    pub rows: Vec<Row>,
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cores} cores, {cpu}, {}", std::env::consts::OS)
}

pub fn print_table(report: &Report) {
    println!("\nQAR Field benchmark — {} — {}", report.date, report.machine);
    println!("{:<52} {:>12} {:>12} {:>8}  {:<28} met", "measure", "ours", "anchor", "ratio", "goal");
    for r in &report.rows {
        let anchor = r.anchor.map_or("–".into(), |a| format!("{a:.2}"));
        let ratio = r.ratio.map_or("–".into(), |x| format!("{x:.1}×"));
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "–",
        };
        println!("{:<52} {:>12} {:>12} {:>8}  {:<28} {met}", r.name, format!("{:.3} {}", r.ours, r.unit), anchor, ratio, r.goal);
    }
}
