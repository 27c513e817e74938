//! Authorisation, decided here and nowhere else.
//!
//! Every route of the route table (`web/routes.rs`) names one [`Access`]; the guard middleware
//! calls [`allows`] with the roles the visitor holds in the commune of the URL.

use super::Role;

/// What a route needs from its visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in user.
    LoggedIn,
    /// A permission in the commune named by the URL.
    In(Perm),
    /// A permission in the commune named by the URL, proved by a personal API token
    /// (`Authorization: Bearer`, see [`super::tokens`]), never by the session cookie: a
    /// page a browser cannot be made to call with its visitor's credentials.
    Bearer(Perm),
}

/// Permissions inside a commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    /// Holds any role in the commune.
    Member,
    /// Users, roles, districts and the audit log.
    Administer,
    /// The finance officer's space (assessments, rolls, tax types).
    Assess,
    /// The collector's space (payments in the field).
    Collect,
    /// The treasurer's space (validation of collections, deposits).
    Treasury,
    /// The council's space (the budget).
    Council,
    /// Running participatory-budgeting rounds: creating one, moving it to its next
    /// phase (a councillor or an admin).
    RunRounds,
    /// Typing in paper ballots and signing voters in at a station (a councillor, an
    /// admin or a reviewer: two of them type each paper in).
    PaperEntry,
    /// The budget desk: the commune's budget documents before and after publication,
    /// and their execution (a finance officer, a councillor, the treasurer or an admin).
    Budget,
    /// Drafting budget documents and recording spending (engagements, mandats): the
    /// ordonnateur's services, a finance officer.
    DraftBudget,
    /// The council's decisions on a budget document: recording its vote, the tutelle's
    /// approval, and publishing it (a councillor or an admin).
    DecideBudget,
    /// Technical review of proposals.
    Review,
    /// A citizen's own space.
    Participate,
    /// The collection dashboards: rates, arrears, debtors, cash not deposited (a
    /// finance officer, the treasurer or a councillor).
    FollowCollection,
    /// Reading and printing receipts: the collectors who issue them, the treasurer
    /// (*comptable*) who answers for them, and an admin.
    Receipts,
    /// Asking for and deciding the cancellation of a receipt, four eyes: a treasurer or
    /// an admin (never the collector who received the money).
    CancelReceipt,
    /// Holding personal API tokens for a phone (a collector or an admin, see
    /// [`super::tokens::may_hold`]).
    ApiTokens,
}

/// Whether holding `roles` in a commune grants `perm` there.
pub fn allows(perm: Perm, roles: &[Role]) -> bool {
    let has = |r: Role| roles.contains(&r);
    match perm {
        Perm::Member => !roles.is_empty(),
        Perm::Administer => has(Role::Admin),
        Perm::Assess => has(Role::FinanceOfficer),
        Perm::Collect => has(Role::Collector),
        Perm::Treasury => has(Role::Treasurer),
        Perm::Council => has(Role::Councillor),
        Perm::RunRounds => has(Role::Councillor) || has(Role::Admin),
        Perm::PaperEntry => has(Role::Councillor) || has(Role::Admin) || has(Role::Reviewer),
        Perm::Budget => {
            has(Role::FinanceOfficer)
                || has(Role::Councillor)
                || has(Role::Treasurer)
                || has(Role::Admin)
        }
        Perm::DraftBudget => has(Role::FinanceOfficer),
        Perm::DecideBudget => has(Role::Councillor) || has(Role::Admin),
        Perm::Review => has(Role::Reviewer),
        Perm::Participate => has(Role::Citizen),
        Perm::FollowCollection => {
            has(Role::FinanceOfficer) || has(Role::Treasurer) || has(Role::Councillor)
        }
        Perm::Receipts => has(Role::Collector) || has(Role::Treasurer) || has(Role::Admin),
        Perm::CancelReceipt => has(Role::Treasurer) || has(Role::Admin),
        Perm::ApiTokens => super::tokens::may_hold(roles),
    }
}

/// The permission a role's home page needs.
pub fn home_perm(role: Role) -> Perm {
    match role {
        Role::Admin => Perm::Administer,
        Role::FinanceOfficer => Perm::Assess,
        Role::Collector => Perm::Collect,
        Role::Treasurer => Perm::Treasury,
        Role::Councillor => Perm::Council,
        Role::Reviewer => Perm::Review,
        Role::Citizen => Perm::Participate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_opens_its_own_home_and_no_other() {
        for role in Role::ALL {
            for other in Role::ALL {
                assert_eq!(
                    allows(home_perm(*other), &[*role]),
                    role == other,
                    "{role} on {other}"
                );
            }
        }
    }

    #[test]
    fn no_role_means_no_membership() {
        assert!(!allows(Perm::Member, &[]));
        assert!(allows(Perm::Member, &[Role::Citizen]));
    }
}
