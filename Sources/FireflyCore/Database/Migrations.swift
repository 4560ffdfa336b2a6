/// FireFly's schema history. Append new migrations at the end.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "organizations", sql: """
            CREATE TABLE organizations (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
                name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                created_at  timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 2, name: "identity", sql: """
            CREATE TABLE users (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                issuer        text NOT NULL,
                subject       text NOT NULL,
                email         text,
                name          text,
                created_at    timestamptz NOT NULL DEFAULT now(),
                last_login_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (issuer, subject)
            );
            CREATE INDEX users_email ON users (lower(email));
            -- How users find their organization: an email domain, a value of the groups claim, or
            -- an explicit membership (by email) set with firefly-admin.
            CREATE TABLE organization_rules (
                organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                kind            text NOT NULL CHECK (kind IN ('email_domain', 'group', 'member_email')),
                value           text NOT NULL CHECK (length(value) BETWEEN 1 AND 320),
                PRIMARY KEY (kind, value, organization_id)
            );
            -- Login transactions: one row per started login, keyed by the SHA-256 of `state`,
            -- consumed exactly once by the callback.
            CREATE TABLE login_transactions (
                state_hash    bytea PRIMARY KEY,
                provider      text NOT NULL,
                nonce         text NOT NULL,
                code_verifier text NOT NULL,
                return_to     text NOT NULL,
                expires_at    timestamptz NOT NULL
            );
            CREATE INDEX login_transactions_expiry ON login_transactions (expires_at);
            -- Sessions: only the SHA-256 of the cookie value is stored.
            CREATE TABLE sessions (
                id_hash           bytea PRIMARY KEY,
                user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                organization_id   bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                provider          text NOT NULL,
                csrf_token        text NOT NULL,
                created_at        timestamptz NOT NULL DEFAULT now(),
                last_seen_at      timestamptz NOT NULL DEFAULT now(),
                expires_at        timestamptz NOT NULL,
                refresh_token_enc text,
                id_token_enc      text,
                next_refresh_at   timestamptz
            );
            CREATE INDEX sessions_user ON sessions (user_id);
            CREATE INDEX sessions_expiry ON sessions (expires_at);
            -- Every deleted session (logout, expiry, admin revocation, plain SQL) is announced, so
            -- each worker's session cache drops it at once.
            CREATE FUNCTION firefly_session_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('firefly_sessions', encode(OLD.id_hash, 'hex'));
                RETURN OLD;
            END $$;
            CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
                FOR EACH ROW EXECUTE FUNCTION firefly_session_deleted();
            """),
        Migration(version: 3, name: "gateway", sql: """
            ALTER TABLE organizations ADD COLUMN workspace_url text CHECK (workspace_url ~ '^https?://[^/]+$'),
                                      ADD COLUMN default_warehouse_id text;
            -- The organization's service principal: the secret only sealed with the vault key.
            CREATE TABLE spn_credentials (
                organization_id bigint PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
                client_id       text NOT NULL,
                secret_enc      text NOT NULL,
                updated_at      timestamptz NOT NULL DEFAULT now()
            );
            -- The current SPN token per organization, sealed; shared by every worker and host.
            CREATE TABLE spn_tokens (
                organization_id bigint PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
                token_enc       text NOT NULL,
                expires_at      timestamptz NOT NULL,
                obtained_at     timestamptz NOT NULL DEFAULT now()
            );
            -- Which user and organization each statement id belongs to.
            CREATE TABLE statements (
                statement_id    text PRIMARY KEY,
                organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at      timestamptz NOT NULL DEFAULT now()
            );
            -- One row per call to Databricks.
            CREATE TABLE audit_log (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at              timestamptz NOT NULL DEFAULT now(),
                user_id         bigint,
                organization_id bigint,
                method          text NOT NULL,
                path_template   text NOT NULL,
                status          integer NOT NULL,
                duration_ms     double precision NOT NULL,
                request_id      text
            );
            CREATE INDEX audit_log_at ON audit_log (at);
            CREATE INDEX audit_log_org_at ON audit_log (organization_id, at);
            CREATE INDEX audit_log_user_at ON audit_log (user_id, at);
            """),
        Migration(version: 4, name: "uploads", sql: """
            -- One row per upload: the audit trail of what was written where, by whom.
            CREATE TABLE uploads (
                id              uuid PRIMARY KEY,
                organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                target          text NOT NULL,
                size            bigint NOT NULL CHECK (size >= 0),
                received_bytes  bigint NOT NULL DEFAULT 0,
                forwarded_bytes bigint NOT NULL DEFAULT 0,
                sha256          text,
                state           text NOT NULL CHECK (state IN ('receiving', 'forwarding', 'done', 'failed')),
                error           text,
                created_at      timestamptz NOT NULL DEFAULT now(),
                updated_at      timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX uploads_owner ON uploads (organization_id, user_id, created_at DESC);
            """),
        Migration(version: 5, name: "upload options", sql: """
            -- Options of a resumable upload kept until it is forwarded: overwrite, verify (read back).
            ALTER TABLE uploads ADD COLUMN options text NOT NULL DEFAULT '';
            """),
        Migration(version: 6, name: "browser and app bindings", sql: """
            -- The SHA-256 of the browser's login-binding cookie: the callback must come from the
            -- browser that started the login. Logins started before this version cannot complete.
            ALTER TABLE login_transactions ADD COLUMN browser_hash bytea NOT NULL DEFAULT ''::bytea;
            -- Each session's idle timeout, so firefly-proxy can judge a session the way the pool does.
            ALTER TABLE sessions ADD COLUMN idle_timeout_seconds integer NOT NULL DEFAULT 1800 CHECK (idle_timeout_seconds > 0);
            -- Embed URLs are single-use: firefly-proxy records each one's nonce at its first use.
            CREATE TABLE app_embed_redemptions (
                nonce      bytea PRIMARY KEY,
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX app_embed_redemptions_expiry ON app_embed_redemptions (expires_at);
            """),
        Migration(version: 7, name: "upload states", sql: """
            -- Cancelled and expired uploads have states of their own: they hold no staged bytes and
            -- count against no quota (receiving, forwarding and failed ones reserve their whole size).
            ALTER TABLE uploads DROP CONSTRAINT uploads_state_check;
            UPDATE uploads SET state = 'cancelled' WHERE state = 'failed' AND error = 'cancelled';
            UPDATE uploads SET state = 'expired' WHERE state = 'failed' AND error = 'expired';
            ALTER TABLE uploads ADD CONSTRAINT uploads_state_check
                CHECK (state IN ('receiving', 'forwarding', 'done', 'failed', 'cancelled', 'expired'));
            CREATE INDEX uploads_reserving ON uploads (user_id) WHERE state IN ('receiving', 'forwarding', 'failed');
            """),
        Migration(version: 8, name: "organization changes", sql: """
            -- A failed token exchange is recorded, so the workers waiting for the same exchange do not
            -- each repeat it.
            ALTER TABLE spn_credentials ADD COLUMN exchange_failed_at timestamptz;
            -- A new principal, or a new workspace, makes the cached token worthless (an old token must
            -- never reach a new host), and every worker is told to forget what it holds.
            CREATE FUNCTION firefly_organization_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                organization bigint;
            BEGIN
                -- `firefly-admin vault reencrypt` re-seals the same secret under a new key: no change.
                IF current_setting('firefly.resealing', true) = 'on' THEN RETURN NEW; END IF;
                IF TG_TABLE_NAME = 'organizations' THEN organization := NEW.id; ELSE organization := NEW.organization_id; END IF;
                DELETE FROM spn_tokens WHERE organization_id = organization;
                PERFORM pg_notify('firefly_organizations', organization::text);
                RETURN NEW;
            END $$;
            CREATE TRIGGER spn_credentials_changed AFTER INSERT OR UPDATE OF client_id, secret_enc ON spn_credentials
                FOR EACH ROW EXECUTE FUNCTION firefly_organization_changed();
            CREATE TRIGGER organizations_workspace_changed AFTER UPDATE OF workspace_url, default_warehouse_id ON organizations
                FOR EACH ROW WHEN (OLD.workspace_url IS DISTINCT FROM NEW.workspace_url OR OLD.default_warehouse_id IS DISTINCT FROM NEW.default_warehouse_id)
                EXECUTE FUNCTION firefly_organization_changed();
            """),
        Migration(version: 9, name: "upload queue", sql: """
            -- Completed uploads wait in state 'forwarding' for any worker's forwarder, which holds a
            -- lease while it transfers; a lease that runs out (the worker died) frees the upload again.
            ALTER TABLE uploads ADD COLUMN lease_until timestamptz, ADD COLUMN attempts integer NOT NULL DEFAULT 0;
            CREATE INDEX uploads_queue ON uploads (updated_at) WHERE state = 'forwarding';
            """),
        Migration(version: 10, name: "statement history", sql: """
            -- Each user's SQL history, kept with the statement's owner row: the text, where it came
            -- from (the editor, or a table preview), and its outcome once FireFly has seen it end.
            -- DDL run asynchronously invalidates cached metadata only when it has succeeded.
            ALTER TABLE statements
                ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY,
                ADD COLUMN statement_text text NOT NULL DEFAULT '',
                ADD COLUMN source text NOT NULL DEFAULT 'editor' CHECK (source IN ('editor', 'preview')),
                ADD COLUMN state text NOT NULL DEFAULT 'PENDING',
                ADD COLUMN finished_at timestamptz,
                ADD COLUMN row_count bigint,
                ADD COLUMN error text,
                ADD COLUMN invalidates text;  -- cache tags to drop once the DDL succeeded, one per line
            CREATE UNIQUE INDEX statements_id ON statements (id);
            CREATE INDEX statements_history ON statements (organization_id, user_id, id DESC);
            """),
        Migration(version: 11, name: "rules bound to providers", sql: """
            -- Each organization rule names the identity provider whose users it places: a user of one
            -- provider must never land in an organization through a rule written for another's.
            -- '' (rules from before) applies only while exactly one provider is configured;
            -- `firefly-admin migrate` binds such rules to that provider.
            ALTER TABLE organization_rules ADD COLUMN provider text NOT NULL DEFAULT '';
            ALTER TABLE organization_rules DROP CONSTRAINT organization_rules_pkey;
            ALTER TABLE organization_rules ADD PRIMARY KEY (kind, value, provider, organization_id);
            """),
        Migration(version: 12, name: "security events", sql: """
            -- Sign-ins (accepted and refused) and every operator action: who, what, when. Kept for
            -- FIREFLY_AUDIT_RETENTION like audit_log (firefly-admin sweep).
            CREATE TABLE security_events (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at              timestamptz NOT NULL DEFAULT now(),
                actor           text NOT NULL,
                action          text NOT NULL,
                outcome         text NOT NULL,
                organization_id bigint,
                user_id         bigint,
                detail          text NOT NULL DEFAULT '',
                remote_address  text
            );
            CREATE INDEX security_events_at ON security_events (at);
            CREATE INDEX security_events_action_at ON security_events (action, at);
            """),
    ]

    /// The newest version this build knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}
