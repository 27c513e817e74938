//! The roles a user can hold in a commune. One user may hold several, in several communes.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    /// The ordonnateur's side: tax types, assessments, rolls.
    FinanceOfficer,
    /// Records payments in the field.
    Collector,
    /// The comptable: validates collections and deposits.
    Treasurer,
    /// Works on the budget.
    Councillor,
    /// Technical review of proposals.
    Reviewer,
    Citizen,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::FinanceOfficer,
        Role::Collector,
        Role::Treasurer,
        Role::Councillor,
        Role::Reviewer,
        Role::Citizen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::FinanceOfficer => "finance_officer",
            Role::Collector => "collector",
            Role::Treasurer => "treasurer",
            Role::Councillor => "councillor",
            Role::Reviewer => "reviewer",
            Role::Citizen => "citizen",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The path, under `/{commune}/`, of this role's home page.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::FinanceOfficer => "finance",
            Role::Collector => "collect",
            Role::Treasurer => "treasury",
            Role::Councillor => "council",
            Role::Reviewer => "review",
            Role::Citizen => "me",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("mayor"), None);
    }
}
