//! `cargo bench --bench voting`: Commune's own timings on the benchmark
//! elections, in process (best and median of several runs). The comparison
//! with pabutools, run on the same files, is `scripts/bench-voting.sh`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use commune::voting::rules::{tally, Rule};
use commune::voting::{read_pb_file, Election};

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

/// Best and median of `runs` timings of `f`.
fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[runs / 2])
}

fn show(what: &str, (best, median): (Duration, Duration)) {
    println!(
        "{what:<48} best {:>9.2} ms   median {:>9.2} ms",
        best.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
}

fn main() {
    let cases: [(&str, &[Rule]); 4] = [
        (
            "Poland_Wieliczka_2023_Green_Budget.pb",
            &[Rule::MesAdd1, Rule::Mes],
        ),
        ("Poland_Swiecie_2023.pb", &[Rule::MesAdd1e]),
        (
            "Poland_Lodz_2022.pb",
            &[Rule::GreedyThreshold, Rule::Mes, Rule::Phragmen],
        ),
        ("Poland_Czestochowa_2024_Dzbow.pb", &[Rule::MesAdd1e]),
    ];
    for (file, rules) in cases {
        let runs = 7;
        show(
            &format!("{file} parse"),
            measure(runs, || read_pb_file(&path(file)).expect("readable")),
        );
        let e: Election = read_pb_file(&path(file)).expect("readable");
        for &rule in rules {
            show(
                &format!("{file} {rule}"),
                measure(runs, || tally(&e, rule, false).expect("counted")),
            );
        }
    }
}
