//! Rate limits: login failures per client address and per account; and, apart, the
//! password-reset traffic (requests for a link, uses of a link) per client address, with
//! the reset mails each account may receive.
//!
//! Only login failures count. An account name that does not exist is limited like one
//! that does, so the limit itself reveals nothing. Accounts are known by a 16-byte hash
//! of their normalised address ([`AccountKey`]), never by what was typed, and an address
//! longer than any address can be is refused before anything is counted.
//!
//! Reset requests never count against a login: a stranger who asks for links to someone
//! else's address cannot lock them out, and at most [`MAX_MAILS_PER_ACCOUNT`] links an
//! hour reach their inbox.
//!
//! [`IpLimit`] is a plain count of requests per address, for public look-ups (the
//! receipts' verify page).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::users::{normalise_email, MAX_EMAIL};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_PER_ACCOUNT: usize = 5;
pub const MAX_PER_IP: usize = 20;

/// Requests for a reset link and uses of a link, per client address in [`WINDOW`].
pub const MAX_RESETS_PER_IP: usize = 10;
/// Reset mails to one account in [`MAIL_WINDOW`]; further requests send nothing.
pub const MAX_MAILS_PER_ACCOUNT: usize = 3;
pub const MAIL_WINDOW: Duration = Duration::from_secs(3600);

/// Why an attempt is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// Too many attempts: wait this many seconds.
    Wait(u64),
    /// Longer than any e-mail address ([`MAX_EMAIL`] bytes): no account has it.
    TooLong,
}

/// An account as the limiters keep it: the first 16 bytes of the SHA-256 of its
/// normalised address, so that a key costs 16 bytes whatever was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountKey([u8; 16]);

impl AccountKey {
    /// The key of `email`, or [`Limited::TooLong`] for what cannot be an address.
    pub fn of(email: &str) -> Result<AccountKey, Limited> {
        let email = normalise_email(email);
        if email.len() > MAX_EMAIL {
            return Err(Limited::TooLong);
        }
        let digest = Sha256::digest(email.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        Ok(AccountKey(key))
    }
}

/// The times of recent events, per key, over a sliding window.
struct Counts<K> {
    window: Duration,
    map: HashMap<K, VecDeque<Instant>>,
}

impl<K: Hash + Eq + Clone> Counts<K> {
    fn new(window: Duration) -> Self {
        Counts {
            window,
            map: HashMap::new(),
        }
    }

    /// Seconds to wait before the next event, if the key is at `max`.
    fn blocked_for(&mut self, key: &K, max: usize, now: Instant) -> Option<u64> {
        let window = self.window;
        let times = self.map.get_mut(key)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() < max {
            return None;
        }
        let oldest = *times.front()?;
        Some((window - now.duration_since(oldest)).as_secs().max(1))
    }

    fn record(&mut self, key: &K, now: Instant) {
        if self.map.len() > 100_000 {
            // A flood of distinct keys: forget the ones whose window has passed.
            let window = self.window;
            self.map
                .retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        self.map.entry(key.clone()).or_default().push_back(now);
    }

    /// Takes the key's last event back.
    fn take_back(&mut self, key: &K) {
        if let Some(times) = self.map.get_mut(key) {
            times.pop_back();
        }
    }

    fn clear(&mut self, key: &K) {
        self.map.remove(key);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct LoginThrottle {
    by_ip: Mutex<Counts<IpAddr>>,
    by_account: Mutex<Counts<AccountKey>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            by_ip: Mutex::new(Counts::new(WINDOW)),
            by_account: Mutex::new(Counts::new(WINDOW)),
        }
    }
}

impl LoginThrottle {
    /// Counts an attempt before the password is checked, so that attempts sent all at
    /// once are counted all at once: refused when this address or this account must
    /// wait (the attempt is then not counted), or when `account` is too long to be an
    /// address. A success is taken back with [`LoginThrottle::succeeded`], so only
    /// failures remain counted.
    pub fn attempt(&self, ip: IpAddr, account: &str) -> Result<(), Limited> {
        self.attempt_at(ip, account, Instant::now())
    }

    /// The attempt succeeded: the account's count is cleared and the address's last
    /// attempt taken back (many people may log in from one office's address).
    pub fn succeeded(&self, ip: IpAddr, account: &str) {
        self.forget_account(account);
        lock(&self.by_ip).take_back(&ip);
    }

    /// Clears the account's failures: its owner proved who they are (a reset link).
    pub fn forget_account(&self, account: &str) {
        if let Ok(key) = AccountKey::of(account) {
            lock(&self.by_account).clear(&key);
        }
    }

    fn attempt_at(&self, ip: IpAddr, account: &str, now: Instant) -> Result<(), Limited> {
        let key = AccountKey::of(account)?;
        // Both locks are held together: check and count are one step.
        let mut by_ip = lock(&self.by_ip);
        let mut by_account = lock(&self.by_account);
        let wait = by_ip
            .blocked_for(&ip, MAX_PER_IP, now)
            .max(by_account.blocked_for(&key, MAX_PER_ACCOUNT, now));
        if let Some(wait) = wait {
            return Err(Limited::Wait(wait));
        }
        by_ip.record(&ip, now);
        by_account.record(&key, now);
        Ok(())
    }
}

/// Reset links: requests and uses per address, mails per account. Apart from
/// [`LoginThrottle`], so that nothing done here blocks a login.
pub struct ResetThrottle {
    by_ip: Mutex<Counts<IpAddr>>,
    mails: Mutex<Counts<AccountKey>>,
}

impl Default for ResetThrottle {
    fn default() -> Self {
        ResetThrottle {
            by_ip: Mutex::new(Counts::new(WINDOW)),
            mails: Mutex::new(Counts::new(MAIL_WINDOW)),
        }
    }
}

impl ResetThrottle {
    /// Counts a request for a link to `account` from `ip`: refused, and not counted,
    /// when `account` cannot be an address or the address has sent too many.
    pub fn request(&self, ip: IpAddr, account: &str) -> Result<(), Limited> {
        AccountKey::of(account)?;
        self.attempt(ip)
    }

    /// Counts one use of a link (opening it, or sending the new password) from `ip`,
    /// before the link is looked up: refused when the address has sent too many.
    /// A link that works is taken back ([`ResetThrottle::link_worked`]).
    pub fn attempt(&self, ip: IpAddr) -> Result<(), Limited> {
        self.attempt_at(ip, Instant::now())
    }

    /// The link was a real one: the address's last use is taken back.
    pub fn link_worked(&self, ip: IpAddr) {
        lock(&self.by_ip).take_back(&ip);
    }

    /// Whether a reset mail may go to `account` now; counted when it may.
    pub fn may_mail(&self, account: &str) -> bool {
        self.may_mail_at(account, Instant::now())
    }

    /// A password was set through a link: the address's use is taken back and the
    /// account's mails are forgotten.
    pub fn succeeded(&self, ip: IpAddr, account: &str) {
        self.link_worked(ip);
        if let Ok(key) = AccountKey::of(account) {
            lock(&self.mails).clear(&key);
        }
    }

    fn attempt_at(&self, ip: IpAddr, now: Instant) -> Result<(), Limited> {
        let mut by_ip = lock(&self.by_ip);
        if let Some(wait) = by_ip.blocked_for(&ip, MAX_RESETS_PER_IP, now) {
            return Err(Limited::Wait(wait));
        }
        by_ip.record(&ip, now);
        Ok(())
    }

    fn may_mail_at(&self, account: &str, now: Instant) -> bool {
        let Ok(key) = AccountKey::of(account) else {
            return false;
        };
        let mut mails = lock(&self.mails);
        if mails
            .blocked_for(&key, MAX_MAILS_PER_ACCOUNT, now)
            .is_some()
        {
            return false;
        }
        mails.record(&key, now);
        true
    }
}

/// A plain limit on requests per client address over a sliding window, for a public
/// page that anyone may ask often but nobody should ask in bulk (the receipts' verify
/// page: 30 look-ups a minute per address).
pub struct IpLimit {
    max: usize,
    counts: Mutex<Counts<IpAddr>>,
}

impl IpLimit {
    pub fn new(max: usize, window: Duration) -> IpLimit {
        IpLimit {
            max,
            counts: Mutex::new(Counts::new(window)),
        }
    }

    /// Counts one request from `ip`: refused, and not counted, when the address has
    /// made `max` in the window.
    pub fn attempt(&self, ip: IpAddr) -> Result<(), Limited> {
        self.attempt_at(ip, Instant::now())
    }

    fn attempt_at(&self, ip: IpAddr, now: Instant) -> Result<(), Limited> {
        let mut counts = lock(&self.counts);
        if let Some(wait) = counts.blocked_for(&ip, self.max, now) {
            return Err(Limited::Wait(wait));
        }
        counts.record(&ip, now);
        Ok(())
    }
}

/// A limiter's refusal: 429 with the wait, or 400 for an account name too long to be
/// an address (no page of ours sends one: its field is limited to 254 characters).
impl From<Limited> for crate::error::AppError {
    fn from(l: Limited) -> Self {
        match l {
            Limited::Wait(secs) => crate::error::AppError::RateLimited {
                retry_after_secs: secs,
            },
            Limited::TooLong => crate::error::AppError::BadRequest("user.bad_email"),
        }
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
        assert!(matches!(
            t.attempt_at(IP, " a@x.sn", now),
            Err(Limited::Wait(_))
        ));
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

    #[test]
    fn an_over_long_account_is_refused_and_nothing_is_kept_of_it() {
        let t = LoginThrottle::default();
        let huge = format!("{}@x.sn", "a".repeat(250 * 1024));
        for _ in 0..(2 * MAX_PER_IP) {
            assert_eq!(t.attempt(IP, &huge), Err(Limited::TooLong));
        }
        assert!(lock(&t.by_account).map.is_empty());
        assert!(lock(&t.by_ip).map.is_empty());
        let longest = format!("{}@x.sn", "a".repeat(MAX_EMAIL - 5));
        assert_eq!(t.attempt(IP, &longest), Ok(()));
    }

    #[test]
    fn accounts_are_keyed_by_a_short_hash_of_the_normalised_address() {
        assert_eq!(
            AccountKey::of("  Awa@Example.SN "),
            AccountKey::of("awa@example.sn")
        );
        assert_ne!(
            AccountKey::of("awa@example.sn"),
            AccountKey::of("awa@example.bj")
        );
        assert_eq!(std::mem::size_of::<AccountKey>(), 16);
    }

    #[test]
    fn reset_requests_never_block_a_login() {
        let (login, resets) = (LoginThrottle::default(), ResetThrottle::default());
        for _ in 0..MAX_RESETS_PER_IP {
            assert_eq!(resets.request(IP, "a@x.sn"), Ok(()));
        }
        assert!(matches!(
            resets.request(IP, "a@x.sn"),
            Err(Limited::Wait(_))
        ));
        assert_eq!(login.attempt(IP, "a@x.sn"), Ok(()));
    }

    #[test]
    fn an_address_may_use_ten_wrong_links_in_fifteen_minutes() {
        let t = ResetThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_RESETS_PER_IP {
            assert_eq!(t.attempt_at(IP, now), Ok(()));
        }
        assert!(matches!(t.attempt_at(IP, now), Err(Limited::Wait(_))));
        assert_eq!(t.attempt_at(IP, now + WINDOW), Ok(()));
        // A link that works is not held against its address.
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        for _ in 0..(3 * MAX_RESETS_PER_IP) {
            assert_eq!(t.attempt_at(other, now), Ok(()));
            t.link_worked(other);
        }
    }

    #[test]
    fn an_address_limit_counts_per_address_over_its_window() {
        let minute = Duration::from_secs(60);
        let t = IpLimit::new(30, minute);
        let now = Instant::now();
        for _ in 0..30 {
            assert_eq!(t.attempt_at(IP, now), Ok(()));
        }
        assert_eq!(t.attempt_at(IP, now), Err(Limited::Wait(60)));
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(t.attempt_at(other, now), Ok(()));
        assert_eq!(t.attempt_at(IP, now + minute), Ok(()));
    }

    #[test]
    fn three_reset_mails_an_hour_go_to_an_account_until_a_reset_succeeds() {
        let t = ResetThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_MAILS_PER_ACCOUNT {
            assert!(t.may_mail_at("a@x.sn", now));
        }
        assert!(!t.may_mail_at("A@x.sn", now));
        assert!(t.may_mail_at("b@x.sn", now));
        assert!(t.may_mail_at("a@x.sn", now + MAIL_WINDOW));
        t.succeeded(IP, "a@x.sn");
        assert!(t.may_mail_at("a@x.sn", now + MAIL_WINDOW));
        assert!(!t.may_mail_at(&"a".repeat(MAX_EMAIL + 1), now));
    }
}
