//! Builds compared in interleaved rounds: the figures of each run kept, and a summary per
//! concurrency of each build's CPU per command and of how it fared, round by round, against
//! the first build given. On a noisy machine a difference shows in pairs of runs taken in
//! the same minutes, not in runs taken apart.

/// What one run measured, for the summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// The bot's CPU time per command answered, in µs.
    pub cpu_us: f64,
    /// Its system part, in µs.
    pub sys_us: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failed: usize,
    pub lost: usize,
}

/// One run: its round, its concurrency, which program ran (an index into the names given
/// to [`summary`]) and what it measured.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub round: usize,
    pub concurrency: usize,
    pub program: usize,
    pub figures: Figures,
}

/// The order the builds run in, in round `round`: each first in turn.
///
/// ```
/// assert_eq!(webex_bot_bench::rounds::order(3, 1), vec![1, 2, 0]);
/// ```
pub fn order(builds: usize, round: usize) -> Vec<usize> {
    (0..builds).map(|k| (k + round) % builds.max(1)).collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Mean and sample standard deviation.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// The summary's lines: per concurrency and program (`names[program]`), the median CPU per
/// command and the median of its system part, the lowest and highest, the highest p99/p50,
/// failed and lost; and for each build
/// after the first, in how many rounds its CPU was lower than the first's and by how much
/// on average (first minus it), with the standard deviation of the differences.
///
/// ```
/// use webex_bot_bench::rounds::{Figures, Run, summary};
/// let f = |cpu_us| Figures { cpu_us, sys_us: 0.0, p50_ms: 1.0, p99_ms: 2.0, failed: 0, lost: 0 };
/// let runs = [
///     Run { round: 0, concurrency: 8, program: 0, figures: f(70.0) },
///     Run { round: 0, concurrency: 8, program: 1, figures: f(60.0) },
///     Run { round: 1, concurrency: 8, program: 1, figures: f(66.0) },
///     Run { round: 1, concurrency: 8, program: 0, figures: f(64.0) },
/// ];
/// let lines = summary(&["a".into(), "b".into()], 2, &runs);
/// assert!(lines[2].contains("lower than the first in 1 of 2 rounds, by 4.0 µs on average"), "{lines:?}");
/// ```
pub fn summary(names: &[String], builds: usize, runs: &[Run]) -> Vec<String> {
    let mut lines = vec![format!(
        "{:>11}  {:<28} {:>6} {:>7} {:>7} {:>7} {:>8} {:>7} {:>9}",
        "concurrency",
        "program",
        "runs",
        "median",
        "of sys",
        "lowest",
        "highest",
        "p99/p50",
        "fail+lost"
    )];
    let mut concurrencies: Vec<usize> = runs.iter().map(|r| r.concurrency).collect();
    concurrencies.sort_unstable();
    concurrencies.dedup();
    for c in concurrencies {
        for (program, name) in names.iter().enumerate() {
            let mine: Vec<&Run> = runs
                .iter()
                .filter(|r| r.concurrency == c && r.program == program)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let cpu: Vec<f64> = mine.iter().map(|r| r.figures.cpu_us).collect();
            let ratio = mine
                .iter()
                .map(|r| r.figures.p99_ms / r.figures.p50_ms)
                .fold(0.0, f64::max);
            let failed_lost: usize = mine.iter().map(|r| r.figures.failed + r.figures.lost).sum();
            let mut line = format!(
                "{c:>11}  {:<28} {:>6} {:>7.1} {:>7.1} {:>7.1} {:>8.1} {:>7.2} {:>9}",
                name,
                mine.len(),
                median(cpu.clone()),
                median(mine.iter().map(|r| r.figures.sys_us).collect()),
                cpu.iter().copied().fold(f64::INFINITY, f64::min),
                cpu.iter().copied().fold(0.0, f64::max),
                ratio,
                failed_lost
            );
            if program > 0 && program < builds {
                let diffs: Vec<f64> = mine
                    .iter()
                    .filter_map(|r| {
                        runs.iter()
                            .find(|f| f.concurrency == c && f.program == 0 && f.round == r.round)
                            .map(|first| first.figures.cpu_us - r.figures.cpu_us)
                    })
                    .collect();
                if !diffs.is_empty() {
                    let (mean, sd) = mean_sd(&diffs);
                    line.push_str(&format!(
                        "  lower than the first in {} of {} rounds, by {mean:.1} µs on average (sd {sd:.1})",
                        diffs.iter().filter(|d| **d > 0.0).count(),
                        diffs.len()
                    ));
                }
            }
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(cpu_us: f64, p99_ms: f64) -> Figures {
        Figures {
            cpu_us,
            sys_us: cpu_us / 2.0,
            p50_ms: 1.0,
            p99_ms,
            failed: 0,
            lost: 0,
        }
    }

    #[test]
    fn each_build_runs_first_in_turn() {
        assert_eq!(order(2, 0), vec![0, 1]);
        assert_eq!(order(2, 1), vec![1, 0]);
        assert_eq!(order(1, 5), vec![0]);
    }

    #[test]
    fn the_summary_pairs_runs_of_the_same_round_and_concurrency() {
        let run = |round, concurrency, program, figures| Run {
            round,
            concurrency,
            program,
            figures,
        };
        let runs = [
            run(0, 8, 0, f(70.0, 2.0)),
            run(0, 8, 1, f(60.0, 2.5)),
            run(0, 8, 2, f(30.0, 2.0)),
            run(0, 64, 0, f(80.0, 1.5)),
            run(0, 64, 1, f(82.0, 1.5)),
            run(1, 8, 1, f(61.0, 3.5)),
            run(1, 8, 0, f(65.0, 2.0)),
            run(1, 8, 2, f(31.0, 2.0)),
        ];
        let names = ["a".to_owned(), "b".to_owned(), "floor".to_owned()];
        let lines = summary(&names, 2, &runs);
        assert_eq!(lines.len(), 1 + 3 + 2, "{lines:#?}");
        // a: the median of 70 and 65, and of its system part, 35 and 32.5.
        assert!(
            lines[1].contains(" a ") && lines[1].contains("67.5") && lines[1].contains("33.8"),
            "{}",
            lines[1]
        );
        // b: 10 and 4 lower; the highest p99/p50 is 3.5.
        assert!(
            lines[2].contains("60.5") && lines[2].contains("3.50"),
            "{}",
            lines[2]
        );
        assert!(
            lines[2]
                .contains("lower than the first in 2 of 2 rounds, by 7.0 µs on average (sd 4.2)"),
            "{}",
            lines[2]
        );
        // The floor is summarized but not compared.
        assert!(
            lines[3].contains("floor") && !lines[3].contains("lower"),
            "{}",
            lines[3]
        );
        assert!(
            lines[5].contains("lower than the first in 0 of 1 rounds, by -2.0"),
            "{}",
            lines[5]
        );
    }
}
