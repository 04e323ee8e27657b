use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::OrcidId;

#[test]
fn backoff_grows_and_is_capped() {
    let p = RetryPolicy::default();
    for n in 2..10 {
        let d = p.delay(n, None);
        let exp = p.base.saturating_mul(1 << (n - 2)).min(p.max);
        assert!(d <= exp && d >= exp / 2, "attempt {n}: {d:?}");
    }
    assert_eq!(p.delay(3, Some(Duration::from_secs(60))), p.max);
    assert_eq!(
        p.delay(3, Some(Duration::from_secs(1))),
        Duration::from_secs(1)
    );
}

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test(start_paused = true)]
async fn orcids_burst_keeps_a_reserve() {
    assert_eq!(burst_reserve(40), 4);
    assert_eq!(burst_reserve(5), 1);
    assert_eq!(burst_reserve(1), 0);
    let l = Limiter::for_orcid(24, 40, WAIT);
    let granted = (0..50).filter(|_| l.shared.rate.check().is_ok()).count();
    assert_eq!(granted, 36);
}

#[tokio::test(start_paused = true)]
async fn burst_then_rate() {
    let l = Limiter::new(50, 5, WAIT);
    let start = Instant::now();
    for _ in 0..10 {
        l.acquire(Priority::Interactive).await.unwrap();
    }
    // Five at once, five more at 50/s: 100 ms after the burst.
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

/// Spawns a caller that records when it was served.
fn caller(
    l: &Limiter,
    priority: Priority,
    name: &'static str,
    served: &Arc<Mutex<Vec<&'static str>>>,
) -> tokio::task::JoinHandle<Result<(), Held>> {
    let (l, served) = (l.clone(), served.clone());
    tokio::spawn(async move {
        l.acquire(priority).await?;
        served.lock().unwrap().push(name);
        Ok(())
    })
}

#[tokio::test(start_paused = true)]
async fn interactive_callers_go_before_bulk_ones_that_came_first() {
    let l = Limiter::new(10, 1, WAIT);
    l.acquire(Priority::Bulk).await.unwrap();
    let served = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = vec![
        caller(&l, Priority::Bulk, "bulk 1", &served),
        caller(&l, Priority::Bulk, "bulk 2", &served),
    ];
    tokio::task::yield_now().await;
    tasks.push(caller(&l, Priority::Interactive, "person 1", &served));
    tasks.push(caller(&l, Priority::Interactive, "person 2", &served));
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        *served.lock().unwrap(),
        ["person 1", "person 2", "bulk 1", "bulk 2"]
    );
}

#[tokio::test(start_paused = true)]
async fn bulk_uses_the_whole_rate_when_no_person_waits() {
    let l = Limiter::new(20, 1, WAIT);
    let start = Instant::now();
    for _ in 0..41 {
        l.acquire(Priority::Bulk).await.unwrap();
    }
    // One at once, then 40 at 20/s.
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_person_waits_a_bounded_time_then_hears_busy() {
    // 1 a second, 2 s of patience: two callers can be in line, a third cannot.
    let l = Limiter::new(1, 1, Duration::from_secs(2));
    l.acquire(Priority::Interactive).await.unwrap();
    let served = Arc::new(Mutex::new(Vec::new()));
    let first = caller(&l, Priority::Interactive, "first", &served);
    let second = caller(&l, Priority::Interactive, "second", &served);
    tokio::task::yield_now().await;
    let start = Instant::now();
    assert_eq!(l.acquire(Priority::Interactive).await, Err(Held::Busy));
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "a full line refuses at once"
    );
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_bound_is_refused_when_it_is_known() {
    // Bulk never times out, but interactive callers find no slot within the bound.
    let l = Limiter::new(1, 1, Duration::from_millis(500));
    l.acquire(Priority::Bulk).await.unwrap();
    let start = Instant::now();
    assert_eq!(l.acquire(Priority::Interactive).await, Err(Held::Busy));
    assert!(start.elapsed() <= Duration::from_millis(500));
    l.acquire(Priority::Bulk).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_caller_that_gives_up_lets_the_next_go() {
    let l = Limiter::new(1, 1, WAIT);
    l.acquire(Priority::Bulk).await.unwrap();
    let served = Arc::new(Mutex::new(Vec::new()));
    let quitter = caller(&l, Priority::Interactive, "quitter", &served);
    let patient = caller(&l, Priority::Bulk, "patient", &served);
    tokio::task::yield_now().await;
    quitter.abort();
    let start = Instant::now();
    patient.await.unwrap().unwrap();
    assert_eq!(*served.lock().unwrap(), ["patient"]);
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn each_person_has_their_own_allowance() {
    let l = PersonLimiter::new(60, 3);
    let ada = OrcidId::parse("0000-0002-1825-0097").unwrap();
    let bob = OrcidId::parse("0000-0001-5109-3700").unwrap();
    for _ in 0..3 {
        l.check(&ada).unwrap();
    }
    let Err(Held::PersonLimit { retry_after }) = l.check(&ada) else {
        panic!("the fourth call in a burst of three is refused");
    };
    assert_eq!(
        retry_after,
        Duration::from_secs(1),
        "60 a minute: one a second"
    );
    l.check(&bob).expect("another person is not held back");
    tokio::time::advance(Duration::from_secs(1)).await;
    l.check(&ada)
        .expect("allowed again after the wait it named");
}

#[tokio::test(start_paused = true)]
async fn idle_callers_go_after_bulk_and_people_that_came_later() {
    let l = Limiter::new(10, 1, WAIT);
    l.acquire(Priority::Bulk).await.unwrap();
    let served = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = vec![caller(&l, Priority::Idle, "check", &served)];
    tokio::task::yield_now().await;
    tasks.push(caller(&l, Priority::Bulk, "bulk", &served));
    tasks.push(caller(&l, Priority::Interactive, "person", &served));
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(*served.lock().unwrap(), ["person", "bulk", "check"]);
}

#[tokio::test(start_paused = true)]
async fn idle_callers_do_not_delay_a_bulk_job() {
    // A bulk job of 20 calls at 10/s takes 2 s whether or not 50 health checks wait.
    let alone = {
        let l = Limiter::new(10, 1, WAIT);
        l.acquire(Priority::Bulk).await.unwrap();
        let start = Instant::now();
        for _ in 0..20 {
            l.acquire(Priority::Bulk).await.unwrap();
        }
        start.elapsed()
    };
    let l = Limiter::new(10, 1, WAIT);
    l.acquire(Priority::Bulk).await.unwrap();
    let served = Arc::new(Mutex::new(Vec::new()));
    let checks: Vec<_> = (0..50)
        .map(|_| caller(&l, Priority::Idle, "check", &served))
        .collect();
    tokio::task::yield_now().await;
    let start = Instant::now();
    let job = {
        let (l, served) = (l.clone(), served.clone());
        tokio::spawn(async move {
            for _ in 0..20 {
                l.acquire(Priority::Bulk).await.unwrap();
                served.lock().unwrap().push("bulk");
            }
            Instant::now()
        })
    };
    let job_done = job.await.unwrap();
    assert_eq!(job_done - start, alone, "the job took as long as alone");
    for c in checks {
        c.await.unwrap().unwrap();
    }
    let order = served.lock().unwrap();
    let first_check = order.iter().position(|s| *s == "check").unwrap();
    assert!(
        order[..first_check].len() >= 19,
        "checks were served only between the job's calls or after it: {order:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn idle_callers_use_the_whole_rate_when_nothing_else_waits() {
    let l = Limiter::new(20, 1, WAIT);
    let start = Instant::now();
    for _ in 0..21 {
        l.acquire(Priority::Idle).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}
