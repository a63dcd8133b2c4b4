//! Golden cases of the visit-day rule (`qar_core::visit_days`) for the app's form: the UI's
//! `visitDaysProblem` (`ui/src/lib/visitDays.ts`) is tested against every case, so the form
//! says exactly what the server will answer. This test builds the cases in memory and compares
//! them with the committed file; `QAR_UPDATE_GENERATED=1` rewrites it.

use chrono::Datelike;
use qar_core::calendar::{add_days, format_date, parse_date, NaiveDate};
use qar_core::visit_days::{check_visit_days, MAX_VISIT_SPAN_DAYS, VISIT_DAYS, VISIT_DAYS_EDITABLE_STATES};
use serde_json::{json, Value};

const COMMAND: &str = "QAR_UPDATE_GENERATED=1 cargo test -p qar-core --test it visit_day_cases";

/// Days around `today`, by offset (weekends and the past included on purpose).
fn around(today: NaiveDate, offsets: &[i64]) -> Vec<String> {
    offsets.iter().map(|o| format_date(add_days(today, *o).unwrap())).collect()
}

/// Inputs that reach every branch of the rule and the order in which problems are reported.
fn inputs() -> Vec<(Vec<String>, NaiveDate)> {
    let mut out = Vec::new();
    // A Monday, a Thursday at a year's end, a leap-year February Monday, a Sunday.
    for today in ["2027-03-08", "2026-12-31", "2028-02-28", "2027-05-16"] {
        let today = parse_date(today).unwrap();
        let offsets: &[&[i64]] = &[
            &[0, 1, 2],
            &[3, 4, 7],
            &[0, 7, 14],
            &[0, 7, 15],
            &[1, 2, 21],
            &[-1, 0, 1],
            &[0, -1, 1],
            &[2, 1, 3],
            &[1, 1, 2],
            &[5, 6, 7],
            &[4, 5, 6],
            &[-3, 5, 6],
            &[29, 30, 31],
            &[-30, -29, -28],
            &[0, 1],
            &[0, 1, 2, 3],
            &[],
        ];
        for o in offsets {
            out.push((around(today, o), today));
        }
        // Deterministic pseudo-random days from ten before to twenty-five after today.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ today.num_days_from_ce() as u64;
        for _ in 0..24 {
            let mut pick = || {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                ((seed >> 33) % 36) as i64 - 10
            };
            let o = [pick(), pick(), pick()];
            out.push((around(today, &o), today));
        }
    }
    // Not dates, in each position, and an empty day.
    let today = parse_date("2027-03-08").unwrap();
    let good = around(today, &[1, 2, 3]);
    let bad = [
        "",
        "2027-3-09",
        "09/03/2027",
        "2027-02-29",
        "2028-02-30",
        "2027-13-01",
        "1899-12-29",
        " 2027-03-09",
        "2027-03-09T00:00",
        "+2027-03-09",
        "２０２７-03-09",
        "2027-03-0x",
        "a rather long piece of text that is certainly not any kind of date at all",
    ];
    for b in bad {
        for at in 0..VISIT_DAYS {
            let mut dates = good.clone();
            dates[at] = b.to_owned();
            out.push((dates, today));
        }
    }
    // Two problems at once: the first day's is the one reported.
    out.push((vec!["2027-03-13".into(), "2027-03-01".into(), "nonsense".into()], today));
    out.push((vec!["2027-03-01".into(), "2027-03-13".into(), "nonsense".into()], today));
    out.push((vec!["2028-02-29".into(), "2028-02-28".into(), "2028-03-01".into()], parse_date("2028-02-28").unwrap()));
    out
}

fn cases() -> Value {
    let cases: Vec<Value> = inputs()
        .into_iter()
        .map(|(dates, today)| {
            let problem = check_visit_days(&dates, today).err().map(|p| p.to_string());
            json!({ "dates": dates, "today": format_date(today), "problem": problem })
        })
        .collect();
    let editable: Vec<&str> = VISIT_DAYS_EDITABLE_STATES.iter().map(|s| s.code()).collect();
    json!({
        "_generated": format!("Generated from Rust by crates/core/tests/it/visit_day_cases.rs: do not edit; run {COMMAND}"),
        "visit_days": VISIT_DAYS,
        "max_span_days": MAX_VISIT_SPAN_DAYS,
        "editable_states": editable,
        "cases": cases,
    })
}

#[test]
fn visit_day_cases_for_the_ui_are_fresh() {
    crate::generated::check("visit-day-cases.json", &(serde_json::to_string_pretty(&cases()).unwrap() + "\n"), COMMAND);
}

/// The cases are worth having: every kind of answer occurs, valid days included.
#[test]
fn the_cases_cover_every_answer() {
    let all = cases();
    let problems: Vec<&str> = all["cases"].as_array().unwrap().iter().map(|c| c["problem"].as_str().unwrap_or("ok")).collect();
    for kind in ["ok", "Give the", "is not a date", "is a Saturday", "is a Sunday", "has passed", "in order", "within 14 days"] {
        assert!(problems.iter().filter(|p| p.contains(kind)).count() >= 2, "no case answers {kind}");
    }
}
