-- Videos host users post (some carrying a mini-program anchor) and who opened which
-- mini-program, for the entrance's "recently used" and "popular".

CREATE TABLE videos (
    id TEXT PRIMARY KEY,
    -- NULL for the platform's own videos (the demo's promotions).
    author_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    author_name TEXT NOT NULL,
    caption TEXT NOT NULL,
    -- `asset:NAME` for a file built into the host, `store:SHA256` for an uploaded one.
    media TEXT NOT NULL,
    content_type TEXT NOT NULL,
    -- The anchor: the mini-program, the page and query it opens at, and its title.
    anchor_appid TEXT REFERENCES apps(appid) ON DELETE SET NULL,
    anchor_path TEXT NOT NULL DEFAULT '',
    anchor_query TEXT NOT NULL DEFAULT '',
    anchor_title TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX videos_by_time ON videos(created_at);
CREATE INDEX videos_by_anchor ON videos(anchor_appid);

-- One row per (app, visitor): a user id, or `device:ID` for someone not logged in.
CREATE TABLE app_opens (
    appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    opens BIGINT NOT NULL,
    last_opened_at BIGINT NOT NULL,
    PRIMARY KEY (appid, visitor)
);
CREATE INDEX app_opens_by_visitor ON app_opens(visitor, last_opened_at);
