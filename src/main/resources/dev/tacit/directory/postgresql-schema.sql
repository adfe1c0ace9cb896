-- Tacit directory schema for PostgreSQL. `tacit directory init --jdbc URL` runs this file; it is
-- safe to run again (everything is IF NOT EXISTS).
--
-- Names are matched without regard to case (sendmail folds local names to lower case), through the
-- unique indexes on lower(...). Members keep their order: position decides the order in which
-- sendmail would hand them on, and so the order of EXPN lines.

CREATE TABLE IF NOT EXISTS tacit_users (
    login     text PRIMARY KEY CHECK (login <> '' AND login !~ '[[:space:]@,<>()"\\;]'),
    full_name text,              -- NULL or '' when the user has none
    mailbox   text               -- Maildir folder; NULL for <data_dir>/mail/<login>
);
CREATE UNIQUE INDEX IF NOT EXISTS tacit_users_login_ci ON tacit_users (lower(login));

CREATE TABLE IF NOT EXISTS tacit_aliases (
    name text PRIMARY KEY CHECK (name <> '')
);
CREATE UNIQUE INDEX IF NOT EXISTS tacit_aliases_name_ci ON tacit_aliases (lower(name));

-- One row per target as an aliases file would list it: a local name, another alias, a remote
-- address, or (only when the server allows them) |program and /file.
CREATE TABLE IF NOT EXISTS tacit_alias_members (
    alias    text    NOT NULL REFERENCES tacit_aliases (name) ON UPDATE CASCADE ON DELETE CASCADE,
    position integer NOT NULL,
    target   text    NOT NULL CHECK (target <> ''),
    PRIMARY KEY (alias, position)
);
