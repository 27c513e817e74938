//! How the money came in: the one list the counter, the ledger and the receipts share.

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
