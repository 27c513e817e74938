//! Login rate limits, per client address and per account name.
//!
//! Only failures count. An account name that does not exist is limited like one that
//! does, so the limit itself reveals nothing.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_PER_ACCOUNT: usize = 5;
pub const MAX_PER_IP: usize = 20;

#[derive(Default)]
pub struct LoginThrottle {
    by_ip: Mutex<Failures<IpAddr>>,
    by_account: Mutex<Failures<String>>,
}

struct Failures<K> {
    map: HashMap<K, VecDeque<Instant>>,
}

impl<K> Default for Failures<K> {
    fn default() -> Self {
        Failures {
            map: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> Failures<K> {
    /// Seconds to wait before the next attempt, if the key is over `max`.
    fn blocked_for(&mut self, key: &K, max: usize, now: Instant) -> Option<u64> {
        let times = self.map.get_mut(key)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() < max {
            return None;
        }
        let oldest = *times.front()?;
        Some((WINDOW - now.duration_since(oldest)).as_secs().max(1))
    }

    fn record(&mut self, key: &K, now: Instant) {
        if self.map.len() > 100_000 {
            // A flood of distinct keys: forget the ones whose window has passed.
            self.map
                .retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        self.map.entry(key.clone()).or_default().push_back(now);
    }
}

fn account_key(account: &str) -> String {
    account.trim().to_lowercase()
}

impl LoginThrottle {
    /// `Some(seconds)` when this address or this account must wait.
    pub fn check(&self, ip: IpAddr, account: &str) -> Option<u64> {
        self.check_at(ip, account, Instant::now())
    }

    pub fn record_failure(&self, ip: IpAddr, account: &str) {
        self.record_failure_at(ip, account, Instant::now())
    }

    /// A successful login forgets the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut acc = self.by_account.lock().unwrap_or_else(|p| p.into_inner());
        acc.map.remove(&account_key(account));
    }

    fn check_at(&self, ip: IpAddr, account: &str, now: Instant) -> Option<u64> {
        let ip_wait = self
            .by_ip
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .blocked_for(&ip, MAX_PER_IP, now);
        let acc_wait = self
            .by_account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .blocked_for(&account_key(account), MAX_PER_ACCOUNT, now);
        ip_wait.max(acc_wait)
    }

    fn record_failure_at(&self, ip: IpAddr, account: &str, now: Instant) {
        self.by_ip
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record(&ip, now);
        self.by_account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record(&account_key(account), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_is_blocked_after_five_failures_then_freed_by_time() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_PER_ACCOUNT {
            assert_eq!(t.check_at(IP, "A@x.sn", now), None);
            t.record_failure_at(IP, "a@x.sn", now);
        }
        assert!(t.check_at(IP, "a@x.sn", now).is_some());
        assert_eq!(t.check_at(IP, "b@x.sn", now), None);
        assert_eq!(t.check_at(IP, "a@x.sn", now + WINDOW), None);
    }

    #[test]
    fn an_address_is_blocked_after_twenty_failures_on_any_accounts() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_PER_IP {
            t.record_failure_at(IP, &format!("user{i}@x.sn"), now);
        }
        assert!(t.check_at(IP, "new@x.sn", now).is_some());
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(t.check_at(other, "new@x.sn", now), None);
    }

    #[test]
    fn success_clears_the_account_count() {
        let t = LoginThrottle::default();
        for _ in 0..MAX_PER_ACCOUNT {
            t.record_failure(IP, "a@x.sn");
        }
        t.record_success("a@x.sn");
        assert_eq!(t.check(IP, "a@x.sn"), None);
    }
}
