//! One integration binary: the real server, on a fresh database per test, driven over
//! HTTP. Set `COMMUNE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`
//! to run every test on PostgreSQL (one new database per test) instead of SQLite.

mod fake_provider;
mod helpers;
mod smtp;

mod access;
mod accounts;
mod admin;
mod audit_log;
#[cfg(unix)]
mod browser;
pub(crate) mod budget;
mod cli;
mod database;
mod mail;
mod pages;
mod participation;
mod revenue;
mod seed;
