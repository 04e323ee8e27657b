//! What the benchmarks measure about one process running idlink and the simulated ORCID:
//! researchers connected through the simulated sign-in, the 503s idlink received, and
//! memory from /proc.

use orcid::OrcidId;

use super::TestApp;

/// `n` researchers connected through the simulated ORCID's sign-in.
pub async fn connect(app: &TestApp, n: usize) -> Vec<OrcidId> {
    let mut who = Vec::with_capacity(n);
    for i in 0..n {
        let w = app.mock.add_researcher("Bench", &format!("Researcher {i}"));
        app.sign_in_as(&app.browser(), &w, "").await;
        who.push(w);
    }
    who
}

/// 503s idlink received: retried ones and those that outlasted the retries.
pub fn rejected(app: &TestApp) -> u64 {
    app.state
        .metrics
        .render(0)
        .lines()
        .filter(|l| l.starts_with("idlink_orcid_calls_total"))
        .filter(|l| l.contains("outcome=\"retried_503\"") || l.contains("outcome=\"busy\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A `Vm…:` line of /proc/self/status, in kB.
pub fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
