//! How the money came in, where it was recorded and where it stands: the lists the
//! counter, the ledger, the receipts and the cash-up share.

crate::text_enum!(
    /// How the money came in.
    pub Method {
        Cash = "cash",
        MobileMoney = "mobile_money",
        BankTransfer = "bank_transfer",
        Cheque = "cheque",
    }
);

impl Method {
    /// Mobile money, transfers and cheques carry the operator's or bank's reference,
    /// which the treasurer matches against the statement.
    pub fn needs_reference(self) -> bool {
        self != Method::Cash
    }
}

crate::text_enum!(
    /// Where a payment was recorded.
    pub Channel {
        Counter = "counter",
        /// A collector's phone, through the API.
        Api = "api",
        /// A mobile-money provider's confirmation.
        MobileMoney = "mobile_money",
    }
);

crate::text_enum!(
    /// Where a receipt's money stands.
    pub Status {
        /// With whoever received it.
        Recorded = "recorded",
        /// Handed over to the treasurer, in a validated cash-up.
        Deposited = "deposited",
        /// Matched with the bank's statement.
        Reconciled = "reconciled",
        /// Cancelled by the treasurer, with a second person's approval.
        Cancelled = "cancelled",
    }
);
