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
    /// Counts an attempt before the password is checked, so that attempts sent all at
    /// once are counted all at once: `Err(seconds)` when this address or this account
    /// must wait (the attempt is then not counted). A success is taken back with
    /// [`LoginThrottle::succeeded`], so only failures remain counted.
    pub fn attempt(&self, ip: IpAddr, account: &str) -> Result<(), u64> {
        self.attempt_at(ip, account, Instant::now())
    }

    /// The attempt succeeded: the account's count is cleared and the address's last
    /// attempt taken back (many people may log in from one office's address).
    pub fn succeeded(&self, ip: IpAddr, account: &str) {
        self.by_account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map
            .remove(&account_key(account));
        let mut by_ip = self.by_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(times) = by_ip.map.get_mut(&ip) {
            times.pop_back();
        }
    }

    fn attempt_at(&self, ip: IpAddr, account: &str, now: Instant) -> Result<(), u64> {
        // Both locks are held together: check and count are one step.
        let mut by_ip = self.by_ip.lock().unwrap_or_else(|p| p.into_inner());
        let mut by_account = self.by_account.lock().unwrap_or_else(|p| p.into_inner());
        let key = account_key(account);
        let wait = by_ip
            .blocked_for(&ip, MAX_PER_IP, now)
            .max(by_account.blocked_for(&key, MAX_PER_ACCOUNT, now));
        if let Some(wait) = wait {
            return Err(wait);
        }
        by_ip.record(&ip, now);
        by_account.record(&key, now);
        Ok(())
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
            assert_eq!(t.attempt_at(IP, "A@x.sn", now), Ok(()));
        }
        assert!(t.attempt_at(IP, "a@x.sn", now).is_err());
        assert_eq!(t.attempt_at(IP, "b@x.sn", now), Ok(()));
        assert_eq!(t.attempt_at(IP, "a@x.sn", now + WINDOW), Ok(()));
    }

    #[test]
    fn an_address_is_blocked_after_twenty_failures_on_any_accounts() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_PER_IP {
            assert_eq!(t.attempt_at(IP, &format!("user{i}@x.sn"), now), Ok(()));
        }
        assert!(t.attempt_at(IP, "new@x.sn", now).is_err());
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(t.attempt_at(other, "new@x.sn", now), Ok(()));
    }

    #[test]
    fn successes_are_taken_back_so_an_office_can_log_in_all_day() {
        let t = LoginThrottle::default();
        for i in 0..(3 * MAX_PER_IP) {
            let who = format!("agent{i}@x.sn");
            assert_eq!(t.attempt(IP, &who), Ok(()), "login {i}");
            t.succeeded(IP, &who);
        }
        for _ in 0..MAX_PER_ACCOUNT {
            assert_eq!(t.attempt(IP, "a@x.sn"), Ok(()));
        }
        t.succeeded(IP, "a@x.sn");
        assert_eq!(t.attempt(IP, "a@x.sn"), Ok(()));
    }
}
