-- Uploaded versions of a mini-program and where they are in checks, review and release.
CREATE TABLE versions (
    id TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    -- The developer's label (e.g. 1.2.0), unique per app.
    version TEXT NOT NULL,
    description TEXT NOT NULL,
    -- The stored package (the platform's build of the upload): its SHA-256 is its key in the store.
    package_sha256 TEXT NOT NULL,
    -- The manifest's hash over the files, which names the contents whatever the ZIP bytes.
    package_hash TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT REFERENCES users(id),
    uploaded_at BIGINT NOT NULL,
    -- check_failed | checked | in_review | approved | rejected | released
    status TEXT NOT NULL,
    -- The automatic checks' report (JSON) and the text of every page, for search.
    checks TEXT NOT NULL,
    page_text TEXT NOT NULL,
    review_reason TEXT,
    reviewed_by TEXT REFERENCES users(id),
    reviewed_at BIGINT,
    -- Set when the version is first released; hosts verify it before running the package.
    signature TEXT,
    released_at BIGINT,
    UNIQUE (appid, version)
);
CREATE INDEX versions_by_app ON versions(appid, uploaded_at);

-- What each channel serves: develop (the latest upload), trial (testers) and release, which
-- may send gray_percent of users to gray_version_id.
CREATE TABLE channels (
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    version_id TEXT NOT NULL REFERENCES versions(id),
    gray_version_id TEXT REFERENCES versions(id),
    gray_percent BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (appid, channel)
);

-- Host users who may open an app's trial version besides its organisation's members.
CREATE TABLE testers (
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (appid, user_id)
);

-- Every release, gray step, rollback and unpublish, newest last.
CREATE TABLE release_events (
    id TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    action TEXT NOT NULL,
    version_id TEXT REFERENCES versions(id),
    gray_percent BIGINT NOT NULL,
    actor TEXT REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX release_events_by_app ON release_events(appid, at);
