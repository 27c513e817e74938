// The one schema for both backends. `tests/api/schema_drift.rs` migrates SQLite and
// PostgreSQL and checks that each database has exactly these tables, columns and types.

diesel::table! {
    app_settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    communes (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        country -> Text,
        currency -> Text,
        timezone -> Text,
        default_locale -> Text,
        code -> Text,
        audit_seq -> BigInt,
        audit_head -> Text,
        created_at -> Timestamp,
        receipt_key -> Text,
    }
}

diesel::table! {
    districts (id) {
        id -> BigInt,
        commune_id -> BigInt,
        name -> Text,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        locale -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        session_generation -> BigInt,
    }
}

diesel::table! {
    user_roles (id) {
        id -> BigInt,
        user_id -> BigInt,
        commune_id -> BigInt,
        role -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        commune_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        token_hash -> Text,
        invited_by -> Nullable<BigInt>,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        commune_id -> BigInt,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    taxpayers (id) {
        id -> BigInt,
        commune_id -> BigInt,
        #[sql_name = "ref"]
        reference -> Text,
        kind -> Text,
        name -> Text,
        search_name -> Text,
        id_number -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        district_id -> Nullable<BigInt>,
        address -> Nullable<Text>,
        lat_e6 -> Nullable<BigInt>,
        lon_e6 -> Nullable<BigInt>,
        merged_into -> Nullable<BigInt>,
        import_batch -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    taxable_items (id) {
        id -> BigInt,
        commune_id -> BigInt,
        taxpayer_id -> BigInt,
        #[sql_name = "ref"]
        reference -> Text,
        kind -> Text,
        district_id -> Nullable<BigInt>,
        address -> Nullable<Text>,
        rental_value -> Nullable<BigInt>,
        market_value -> Nullable<BigInt>,
        area_m2 -> Nullable<BigInt>,
        category -> Nullable<Text>,
        market -> Nullable<Text>,
        stall_number -> Nullable<Text>,
        active -> Bool,
        import_batch -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tax_types (id) {
        id -> BigInt,
        commune_id -> BigInt,
        code -> Text,
        name_fr -> Text,
        name_en -> Text,
        legal_ref -> Text,
        category -> Text,
        assessed_by -> Text,
        method -> Text,
        base -> Nullable<Text>,
        item_kind -> Text,
        rate_bp -> Nullable<BigInt>,
        amount -> Nullable<BigInt>,
        period -> Text,
        due_month -> BigInt,
        due_day -> BigInt,
        penalty_rate_bp -> BigInt,
        penalty_min -> BigInt,
        penalty_flat -> BigInt,
        penalty_grace_days -> BigInt,
        budget_line -> Text,
        gfsm_code -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tax_tariffs (id) {
        id -> BigInt,
        tax_type_id -> BigInt,
        category -> Text,
        amount -> BigInt,
    }
}

diesel::table! {
    rolls (id) {
        id -> BigInt,
        commune_id -> BigInt,
        tax_type_id -> BigInt,
        fiscal_year -> BigInt,
        source -> Text,
        status -> Text,
        line_count -> BigInt,
        total -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        issued_by -> Nullable<BigInt>,
        issued_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assessments (id) {
        id -> BigInt,
        commune_id -> BigInt,
        roll_id -> BigInt,
        taxpayer_id -> BigInt,
        item_id -> Nullable<BigInt>,
        tax_type_id -> BigInt,
        kind -> Text,
        parent_id -> Nullable<BigInt>,
        fiscal_year -> BigInt,
        period -> Text,
        base -> Nullable<BigInt>,
        rate_bp -> Nullable<BigInt>,
        amount -> BigInt,
        due_date -> Date,
        reference -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    adjustments (id) {
        id -> BigInt,
        commune_id -> BigInt,
        assessment_id -> BigInt,
        kind -> Text,
        amount -> BigInt,
        reason -> Text,
        status -> Text,
        requested_by -> BigInt,
        requested_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    imports (id) {
        id -> BigInt,
        commune_id -> BigInt,
        kind -> Text,
        file_name -> Text,
        file_sha256 -> Text,
        rows -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        commune_id -> BigInt,
        taxpayer_id -> Nullable<BigInt>,
        receipt_number -> Text,
        receipt_year -> BigInt,
        receipt_seq -> BigInt,
        amount -> BigInt,
        method -> Text,
        method_reference -> Nullable<Text>,
        received_by -> BigInt,
        received_at -> Timestamp,
        form_token -> Text,
        paid_on -> Date,
        channel -> Text,
        tax_type_id -> Nullable<BigInt>,
        payer -> Nullable<Text>,
        verification_code -> Nullable<Text>,
        status -> Text,
        cashup_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    payment_cancellations (id) {
        id -> BigInt,
        commune_id -> BigInt,
        payment_id -> BigInt,
        reason -> Text,
        requested_by -> BigInt,
        requested_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payment_allocations (id) {
        id -> BigInt,
        payment_id -> BigInt,
        assessment_id -> BigInt,
        amount -> BigInt,
    }
}

diesel::table! {
    rounds (id) {
        id -> BigInt,
        commune_id -> BigInt,
        title -> Text,
        summary -> Text,
        fiscal_year -> BigInt,
        phase -> Text,
        vote_type -> Text,
        knapsack -> Bool,
        min_length -> Nullable<BigInt>,
        max_length -> Nullable<BigInt>,
        min_sum_cost -> Nullable<BigInt>,
        max_sum_cost -> Nullable<BigInt>,
        min_points -> Nullable<BigInt>,
        max_points -> Nullable<BigInt>,
        min_sum_points -> Nullable<BigInt>,
        max_sum_points -> Nullable<BigInt>,
        rule -> Text,
        complete_greedy -> Bool,
        score_threshold -> Nullable<BigInt>,
        ballot_scope -> Text,
        min_age -> Nullable<BigInt>,
        supports -> Bool,
        max_proposal_cost -> Nullable<BigInt>,
        currency -> Text,
        decimals -> BigInt,
        source -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    round_phases (round_id, phase) {
        round_id -> BigInt,
        phase -> Text,
        starts_on -> Nullable<Date>,
        started_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    round_areas (id) {
        id -> BigInt,
        round_id -> BigInt,
        district_id -> Nullable<BigInt>,
        name -> Text,
        budget -> BigInt,
        revenue_share -> Nullable<BigInt>,
        revenue_year -> Nullable<BigInt>,
        revenue_collected -> Nullable<BigInt>,
    }
}

diesel::table! {
    proposals (id) {
        id -> BigInt,
        round_id -> BigInt,
        area_id -> BigInt,
        code -> Text,
        title -> Text,
        description -> Text,
        category -> Nullable<Text>,
        place -> Nullable<Text>,
        estimated_cost -> BigInt,
        cost -> Nullable<BigInt>,
        status -> Text,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<BigInt>,
        merged_into -> Nullable<BigInt>,
        hidden_reason -> Nullable<Text>,
        author_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    proposal_authors (proposal_id, user_id) {
        proposal_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    proposal_supports (proposal_id, user_id) {
        proposal_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    voters (id) {
        id -> BigInt,
        round_id -> BigInt,
        area_id -> BigInt,
        identifier -> Text,
        name -> Text,
        birth_year -> BigInt,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    voter_codes (id) {
        id -> BigInt,
        voter_id -> BigInt,
        code_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        failures -> BigInt,
    }
}

diesel::table! {
    participations (round_id, voter_id) {
        round_id -> BigInt,
        voter_id -> BigInt,
        channel -> Text,
    }
}

diesel::table! {
    sms_messages (id) {
        id -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    paper_entries (id) {
        id -> BigInt,
        round_id -> BigInt,
        area_id -> BigInt,
        number -> Text,
        choices -> Text,
        points -> Nullable<Text>,
        entered_by -> BigInt,
        resolution -> Bool,
    }
}

diesel::table! {
    ballots (round_id, public_id) {
        round_id -> BigInt,
        public_id -> Text,
        area_id -> BigInt,
        channel -> Text,
        choices -> Text,
        points -> Nullable<Text>,
    }
}

diesel::table! {
    round_results (area_id) {
        area_id -> BigInt,
        round_id -> BigInt,
        rule -> Text,
        outcome -> Text,
        greedy_selected -> Nullable<Text>,
        counted_at -> Timestamp,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        round_id -> BigInt,
        area_id -> BigInt,
        proposal_id -> BigInt,
        title -> Text,
        budget -> BigInt,
        spent -> BigInt,
        status -> Text,
        progress -> BigInt,
        abandoned_reason -> Nullable<Text>,
        updated_on -> Date,
    }
}

diesel::table! {
    project_updates (id) {
        id -> BigInt,
        project_id -> BigInt,
        on_date -> Date,
        status -> Text,
        progress -> BigInt,
        spent -> BigInt,
        note -> Text,
        caption -> Text,
        author_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> BigInt,
        commune_id -> BigInt,
        topic -> Text,
        subject -> BigInt,
        email -> Text,
        locale -> Text,
        token -> Text,
        confirmed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hand_counts (round_id, area_id, assembly, code) {
        round_id -> BigInt,
        area_id -> BigInt,
        assembly -> Text,
        code -> Text,
        votes -> BigInt,
        entered_by -> BigInt,
    }
}

diesel::table! {
    budget_documents (id) {
        id -> BigInt,
        commune_id -> BigInt,
        fiscal_year -> BigInt,
        kind -> Text,
        title -> Text,
        status -> Text,
        voted_on -> Nullable<Date>,
        deliberation -> Nullable<Text>,
        votes_for -> Nullable<BigInt>,
        votes_against -> Nullable<BigInt>,
        abstentions -> Nullable<BigInt>,
        approved_on -> Nullable<Date>,
        approval_ref -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        published_csv -> Nullable<Text>,
        csv_sha256 -> Nullable<Text>,
        audit_seq -> Nullable<BigInt>,
        audit_head -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    budget_lines (id) {
        id -> BigInt,
        document_id -> BigInt,
        article -> Text,
        label -> Text,
        amount -> BigInt,
        round_id -> Nullable<BigInt>,
        project_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    budget_commitments (id) {
        id -> BigInt,
        commune_id -> BigInt,
        fiscal_year -> BigInt,
        reference -> Text,
        article -> Text,
        label -> Text,
        amount -> BigInt,
        committed_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    budget_orders (id) {
        id -> BigInt,
        commune_id -> BigInt,
        fiscal_year -> BigInt,
        number -> Text,
        commitment_id -> BigInt,
        amount -> BigInt,
        ordered_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        paid_on -> Nullable<Date>,
        paid_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    budget_titles (id) {
        id -> BigInt,
        commune_id -> BigInt,
        fiscal_year -> BigInt,
        reference -> Text,
        article -> Text,
        label -> Text,
        amount -> BigInt,
        issued_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        commune_id -> BigInt,
        taxpayer_id -> BigInt,
        day -> Date,
        channel -> Text,
        amount -> BigInt,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payment_channels (id) {
        id -> BigInt,
        commune_id -> BigInt,
        provider -> Text,
        merchant_number -> Text,
        display_name -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        commune_id -> BigInt,
        user_id -> BigInt,
        label -> Text,
        token_hash -> Text,
        hint -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cashups (id) {
        id -> BigInt,
        commune_id -> BigInt,
        collector_id -> BigInt,
        day -> Date,
        declared_at -> Timestamp,
        receipts -> BigInt,
        cash_expected -> BigInt,
        other_total -> BigInt,
        cash_declared -> BigInt,
        status -> Text,
        cash_received -> Nullable<BigInt>,
        difference -> Nullable<BigInt>,
        note -> Nullable<Text>,
        validated_by -> Nullable<BigInt>,
        validated_at -> Nullable<Timestamp>,
        deposit_number -> Nullable<Text>,
        deposit_year -> Nullable<BigInt>,
        deposit_seq -> Nullable<BigInt>,
    }
}

diesel::table! {
    bank_lines (id) {
        id -> BigInt,
        commune_id -> BigInt,
        import_id -> BigInt,
        line -> BigInt,
        booked_on -> Date,
        reference -> Text,
        amount -> BigInt,
        label -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
        expected -> Nullable<BigInt>,
        cashup_id -> Nullable<BigInt>,
        payment_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(districts -> communes (commune_id));
diesel::joinable!(user_roles -> communes (commune_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(audit_log -> communes (commune_id));
diesel::joinable!(invitations -> communes (commune_id));
diesel::joinable!(taxpayers -> districts (district_id));
diesel::joinable!(taxable_items -> taxpayers (taxpayer_id));
diesel::joinable!(taxable_items -> districts (district_id));
diesel::joinable!(tax_tariffs -> tax_types (tax_type_id));
diesel::joinable!(rolls -> tax_types (tax_type_id));
diesel::joinable!(assessments -> rolls (roll_id));
diesel::joinable!(assessments -> taxpayers (taxpayer_id));
diesel::joinable!(assessments -> taxable_items (item_id));
diesel::joinable!(assessments -> tax_types (tax_type_id));
diesel::joinable!(adjustments -> assessments (assessment_id));
diesel::joinable!(imports -> users (user_id));
diesel::joinable!(payments -> taxpayers (taxpayer_id));
diesel::joinable!(payments -> users (received_by));
diesel::joinable!(payment_allocations -> payments (payment_id));
diesel::joinable!(payment_allocations -> assessments (assessment_id));
diesel::joinable!(payments -> tax_types (tax_type_id));
diesel::joinable!(payments -> communes (commune_id));
diesel::joinable!(payment_cancellations -> payments (payment_id));
diesel::joinable!(rounds -> communes (commune_id));
diesel::joinable!(round_phases -> rounds (round_id));
diesel::joinable!(round_areas -> rounds (round_id));
diesel::joinable!(proposals -> round_areas (area_id));
diesel::joinable!(ballots -> round_areas (area_id));
diesel::joinable!(proposal_authors -> proposals (proposal_id));
diesel::joinable!(proposal_authors -> users (user_id));
diesel::joinable!(proposal_supports -> proposals (proposal_id));
diesel::joinable!(voters -> round_areas (area_id));
diesel::joinable!(voter_codes -> voters (voter_id));
diesel::joinable!(participations -> voters (voter_id));
diesel::joinable!(round_results -> round_areas (area_id));
diesel::joinable!(projects -> rounds (round_id));
diesel::joinable!(project_updates -> projects (project_id));
diesel::joinable!(subscriptions -> communes (commune_id));
diesel::joinable!(hand_counts -> round_areas (area_id));
diesel::joinable!(budget_documents -> communes (commune_id));
diesel::joinable!(budget_lines -> budget_documents (document_id));
diesel::joinable!(budget_commitments -> communes (commune_id));
diesel::joinable!(budget_orders -> budget_commitments (commitment_id));
diesel::joinable!(budget_titles -> communes (commune_id));
diesel::joinable!(reminders -> taxpayers (taxpayer_id));
diesel::joinable!(payment_channels -> communes (commune_id));
diesel::joinable!(api_tokens -> communes (commune_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(payments -> cashups (cashup_id));
diesel::joinable!(bank_lines -> imports (import_id));
diesel::joinable!(bank_lines -> cashups (cashup_id));
diesel::joinable!(bank_lines -> payments (payment_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_settings,
    communes,
    districts,
    users,
    user_roles,
    password_resets,
    invitations,
    audit_log,
    taxpayers,
    taxable_items,
    tax_types,
    tax_tariffs,
    rolls,
    assessments,
    adjustments,
    imports,
    payments,
    payment_allocations,
    payment_cancellations,
    rounds,
    round_phases,
    round_areas,
    proposals,
    proposal_authors,
    proposal_supports,
    voters,
    voter_codes,
    participations,
    sms_messages,
    paper_entries,
    ballots,
    round_results,
    projects,
    project_updates,
    subscriptions,
    hand_counts,
    budget_documents,
    budget_lines,
    budget_commitments,
    budget_orders,
    budget_titles,
    reminders,
    payment_channels,
    api_tokens,
    cashups,
    bank_lines,
);

// Mobile money (src/revenue/mobile/): kept apart from the list above so that the
// branches that add tables merge without touching each other's lines.
diesel::table! {
    payment_intents (id) {
        id -> BigInt,
        commune_id -> BigInt,
        provider -> Text,
        taxpayer_id -> BigInt,
        amount -> BigInt,
        currency -> Text,
        reference -> Text,
        provider_ref -> Nullable<Text>,
        transaction_id -> Nullable<Text>,
        payer_phone -> Nullable<Text>,
        status -> Text,
        problem -> Nullable<Text>,
        payment_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_polled_at -> Nullable<Timestamp>,
        polls -> BigInt,
        reported_amount -> Nullable<Text>,
        reported_currency -> Nullable<Text>,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        resolution_note -> Nullable<Text>,
    }
}

diesel::table! {
    mobile_money_events (id) {
        id -> BigInt,
        commune_id -> BigInt,
        provider -> Text,
        event_id -> Text,
        kind -> Text,
        intent_id -> Nullable<BigInt>,
        outcome -> Text,
        received_at -> Timestamp,
    }
}

diesel::joinable!(payment_intents -> taxpayers (taxpayer_id));
diesel::joinable!(payment_intents -> payments (payment_id));
diesel::allow_tables_to_appear_in_same_query!(payment_intents, taxpayers);
diesel::allow_tables_to_appear_in_same_query!(payment_intents, payments);
diesel::joinable!(payment_intents -> users (resolved_by));
diesel::allow_tables_to_appear_in_same_query!(payment_intents, users);
