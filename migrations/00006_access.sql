-- +goose Up
-- Who reaches what, beyond a role in one school: trusts spanning schools, system admins, agency
-- practitioners (by service) and LA officers (by local authority).
CREATE TABLE trusts (
    id    uuid PRIMARY KEY,
    name  text NOT NULL
);
ALTER TABLE schools ADD COLUMN trust_id uuid REFERENCES trusts(id);
ALTER TABLE users ADD COLUMN system_admin boolean NOT NULL DEFAULT false;

CREATE TABLE trust_admins (
    user_id   uuid NOT NULL REFERENCES users(id),
    trust_id  uuid NOT NULL REFERENCES trusts(id),
    PRIMARY KEY (user_id, trust_id)
);

CREATE TABLE agency_practitioners (
    user_id  uuid NOT NULL REFERENCES users(id),
    service  text NOT NULL REFERENCES agency_services(code),
    PRIMARY KEY (user_id, service)
);

CREATE TABLE la_officers (
    user_id  uuid NOT NULL REFERENCES users(id),
    la_code  text NOT NULL REFERENCES local_authorities(code),
    PRIMARY KEY (user_id, la_code)
);

-- Parents sign in by a one-time emailed link; only a hash of its secret is kept.
CREATE TABLE magic_links (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users(id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX magic_links_user ON magic_links (user_id, created_at);

-- +goose Down
DROP TABLE magic_links, la_officers, agency_practitioners, trust_admins;
ALTER TABLE users DROP COLUMN system_admin;
ALTER TABLE schools DROP COLUMN trust_id;
DROP TABLE trusts;
