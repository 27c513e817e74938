//! The roles a user can hold in a commune. One user may hold several, in several communes.

crate::text_enum!(
    pub Role {
        Admin = "admin",
        /// The ordonnateur's side: tax types, assessments, rolls.
        FinanceOfficer = "finance_officer",
        /// Records payments in the field.
        Collector = "collector",
        /// The comptable: validates collections and deposits.
        Treasurer = "treasurer",
        /// Works on the budget.
        Councillor = "councillor",
        /// Technical review of proposals.
        Reviewer = "reviewer",
        Citizen = "citizen",
    }
);

impl Role {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("mayor"), None);
    }
}
