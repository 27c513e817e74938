//! The voting engine (see issue 3).
