-- Payments: orders created by developers' servers with Douyin's guaranteed-pay API, refunds,
-- and the durable outbox of signed callbacks to their notify URLs.

-- An RSA public key (X.509, base64) an app signs its payment requests with instead of MD5;
-- whether its orders appear in the host's "Services and Orders".
ALTER TABLE apps ADD COLUMN rsa_public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN order_sync BIGINT NOT NULL DEFAULT 0;

CREATE TABLE pay_orders (
    order_id TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid),
    out_order_no TEXT NOT NULL,
    -- SHA-256 of the signed parameters: the same request again gets the same order.
    request_digest TEXT NOT NULL,
    total_amount BIGINT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    cp_extra TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    -- PROCESSING (unpaid), SUCCESS, FAIL, TIMEOUT.
    status TEXT NOT NULL,
    -- Set while one confirmation is charging, so a second one cannot.
    paying_since BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    paid_at BIGINT,
    -- The payment provider's trade number, and the way (2 = Alipay).
    channel_no TEXT NOT NULL,
    way TEXT NOT NULL,
    payer_user_id TEXT,
    payer_openid TEXT NOT NULL,
    refunded_amount BIGINT NOT NULL,
    UNIQUE (appid, out_order_no)
);
CREATE INDEX pay_orders_by_app ON pay_orders(appid, created_at);
CREATE INDEX pay_orders_by_payer ON pay_orders(payer_user_id);

CREATE TABLE pay_refunds (
    refund_id TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid),
    out_refund_no TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES pay_orders(order_id),
    refund_amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    cp_extra TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    -- PROCESSING, SUCCESS, FAIL.
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    refunded_at BIGINT,
    UNIQUE (appid, out_refund_no)
);

-- Callbacks to developers' servers, kept until their server answers success or the schedule
-- runs out; one per (app, kind, subject), so an order is never notified as paid twice over.
CREATE TABLE pay_notifications (
    id TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid),
    kind TEXT NOT NULL,
    subject_no TEXT NOT NULL,
    url TEXT NOT NULL,
    msg TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT,
    delivered_at BIGINT,
    last_error TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (appid, kind, subject_no)
);
CREATE INDEX pay_notifications_due ON pay_notifications(next_at);

-- The built-in sandbox Alipay gateway's own books (what a real Alipay keeps on its side).
CREATE TABLE sandbox_alipay_trades (
    out_trade_no TEXT PRIMARY KEY,
    trade_no TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL,
    total_fen BIGINT NOT NULL,
    refunded_fen BIGINT NOT NULL,
    subject TEXT NOT NULL,
    -- WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED.
    status TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    paid_at BIGINT
);
CREATE TABLE sandbox_alipay_refunds (
    out_trade_no TEXT NOT NULL,
    out_request_no TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (out_trade_no, out_request_no)
);
