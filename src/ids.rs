//! Newtype ids: a `UserId` cannot be passed where a `CommuneId` is expected.

/// Declares `pub struct $name(pub i64)` stored as `BigInt` on every backend.
#[macro_export]
macro_rules! id_newtype {
    ($($name:ident),* $(,)?) => {$(
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                i64::from_sql(bytes).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_newtype!(
    CommuneId,
    DistrictId,
    UserId,
    RoleGrantId,
    AuditEntryId,
    InvitationId
);
id_newtype!(
    TaxpayerId,
    ItemId,
    TaxTypeId,
    RollId,
    AssessmentId,
    AdjustmentId,
    ImportId,
    PaymentId,
    CancellationId
);
id_newtype!(
    RoundId,
    AreaId,
    ProposalId,
    VoterId,
    ProjectId,
    SubscriptionId
);
id_newtype!(DocumentId, BudgetLineId, CommitmentId, OrderId, TitleId);
id_newtype!(PaymentIntentId);
id_newtype!(ApiTokenId);
id_newtype!(CashupId, BankLineId);
