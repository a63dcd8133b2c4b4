//! Times `import-schools` on a synthetic GIAS-sized file: 50,000 rows of 139 quoted columns in
//! Windows-1252, made here at run time (every value invented). Run it optimised:
//! `cargo run --release -p qar-server --example gias_timing [ROWS]`.

use qar_server::gias;
use std::fmt::Write as _;
use std::time::Instant;

const COLUMNS: usize = 139;

fn main() {
    let rows: usize = std::env::args().nth(1).map_or(50_000, |n| n.parse().expect("ROWS must be a number"));
    // The columns the import reads, where GIAS has them (roughly), the rest filler.
    let named: [(usize, &str); 16] = [
        (0, gias::URN),
        (2, gias::LA),
        (4, gias::NAME),
        (6, gias::TYPE),
        (10, gias::STATUS),
        (13, gias::OPEN_DATE),
        (18, gias::PHASE),
        (39, gias::PUPILS),
        (42, gias::FSM),
        (46, gias::TRUST),
        (55, gias::TOWN),
        (57, gias::POSTCODE),
        (62, gias::HEAD_FIRST),
        (63, gias::HEAD_LAST),
        (70, gias::REGION),
        (100, gias::OFSTED_LAST_INSP),
    ];
    let mut header: Vec<String> = (0..COLUMNS).map(|i| format!("Filler{i} (name)")).collect();
    for (i, name) in named {
        header[i] = name.to_owned();
    }
    let mut text = String::new();
    let quoted: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
    text.push_str(&quoted.join(","));
    text.push_str("\r\n");
    let mut rng = fastrand::Rng::with_seed(7);
    for r in 0..rows {
        let mut values: Vec<String> = (0..COLUMNS).map(|c| format!("Value {c}-{}", rng.u32(..1000))).collect();
        values[0] = format!("{}", 900_000 + r);
        values[2] = format!("Synthetic LA {}", r % 150);
        values[4] = format!("Synthetic \"Caf\u{e9}\" School {r}, Upper Site \u{2019}{}", rng.u16(..));
        values[6] = "Academy converter".to_owned();
        values[10] = if r % 10 == 0 { "Closed" } else { "Open" }.to_owned();
        values[13] = format!("{:02}-{:02}-{}", rng.u32(1..29), rng.u32(1..13), rng.u32(1950..2025));
        values[18] = ["Primary", "Secondary", "Not applicable"][r % 3].to_owned();
        values[39] = rng.u32(10..2000).to_string();
        values[42] = format!("{:.1}", rng.f64() * 60.0);
        values[46] = format!("Synthetic Trust {}", r % 900);
        values[55] = format!("Town {}", r % 2000);
        values[57] = format!("ZZ99 {}", r % 9000);
        values[62] = "Alex".to_owned();
        values[63] = format!("Example{r}");
        values[70] = "North West".to_owned();
        values[100] =
            if r % 4 == 0 { String::new() } else { format!("{:02}-{:02}-20{:02}", rng.u32(1..29), rng.u32(1..13), rng.u32(10..25)) };
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let _ = write!(text, "\"{}\"", v.replace('"', "\"\""));
        }
        text.push_str("\r\n");
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edubasealldata20260101.csv");
    std::fs::write(&path, &bytes).unwrap();
    println!("{rows} rows x {COLUMNS} columns, {:.1} MB (Windows-1252)", bytes.len() as f64 / 1e6);
    let store = qar_server::ServerStore::open(&dir.path().join("data")).unwrap();
    for run in ["first import (empty register)", "second import (same file)"] {
        let started = Instant::now();
        let summary = gias::import(&path, &store, qar_server::store::now_ms()).unwrap();
        println!("{run}: {} in {:.2} s", summary.summary(), started.elapsed().as_secs_f64());
        assert_eq!(summary.rejected(), 0);
    }
}
