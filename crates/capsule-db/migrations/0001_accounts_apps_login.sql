-- Accounts, organisations, mini-programs and login. Portable SQL: it runs unchanged on SQLite
-- and PostgreSQL (ids are TEXT made by the platform, times are BIGINT unix milliseconds, flags
-- are BIGINT 0/1, lists are JSON text).

CREATE TABLE platform_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- A logged-in browser (host app or console). Only the token's SHA-256 is kept.
CREATE TABLE user_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device TEXT,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_by_device ON user_sessions(device);
CREATE INDEX user_sessions_by_user ON user_sessions(user_id);

CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE org_members (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_by_user ON org_members(user_id);

CREATE TABLE apps (
    appid TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    icon TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    keywords TEXT NOT NULL,
    request_domains TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    allow_mount BIGINT NOT NULL,
    secret_hash TEXT NOT NULL,
    payment_salt TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX apps_by_org ON apps(org_id);

-- One-time login codes from tt.login / wx.login; only their SHA-256 is kept.
CREATE TABLE login_codes (
    code_hash TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    device TEXT,
    host TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX login_codes_by_expiry ON login_codes(expires_at);

-- The session_key a developer's server got for a user, kept for checking signed user data.
CREATE TABLE app_user_sessions (
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    openid TEXT NOT NULL,
    session_key TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (appid, openid)
);

CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX access_tokens_by_app ON access_tokens(appid);

-- Calls per (app, API, minute), for the open API's rate limits.
CREATE TABLE api_calls (
    appid TEXT NOT NULL,
    api TEXT NOT NULL,
    minute BIGINT NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (appid, api, minute)
);
