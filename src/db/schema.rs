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

diesel::joinable!(districts -> communes (commune_id));
diesel::joinable!(user_roles -> communes (commune_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(audit_log -> communes (commune_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_settings,
    communes,
    districts,
    users,
    user_roles,
    password_resets,
    audit_log,
);
