import DBAdviseTestSupport
import Foundation
import Testing

/// A database whose owner (mallory, no superuser) shadows the catalog in schema `evil` and
/// makes every session search it first. Each shadow calls `evil.trap`, which logs a WARNING
/// (seen in the server log even in a read-only session), records a row and tries
/// `ALTER ROLE mallory SUPERUSER`, and then behaves like the object it hides. The collecting
/// roles also carry settings that would end or loosen their sessions. A cluster of its own:
/// the role settings must not reach other suites.
enum TrojanServer {
    struct Info: Sendable {
        let socket: String
        let port: String
        let log: String
        let serverVersion: Int

        func dsn(_ database: String, user: String = "postgres") -> String {
            "host=\(socket) port=\(port) dbname=\(database) user=\(user)"
        }

        /// For the test's own psql: a session the trojan's role settings do not reach.
        func adminDSN(_ database: String, user: String = "postgres") -> String {
            dsn(database, user: user)
                + " options='-c search_path=pg_catalog -c idle_session_timeout=0 -c statement_timeout=0'"
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    static let marker = "dbadvise-trojan ran"

    /// Objects that `evil` shadows, and the statement that makes each one fire in a session
    /// whose search_path is the database's.
    static let triggers: [(shadow: String, sql: String)] = [
        ("set_config", "SELECT set_config('dbadvise.x', 'on', false)"),
        ("pg_database_size", "SELECT pg_database_size(1::oid)"),
        ("current_setting", "SELECT current_setting('work_mem')"),
        ("pg_settings", "SELECT count(*) FROM pg_settings"),
        ("pg_stat_activity", "SELECT count(*) FROM pg_stat_activity"),
        ("pg_class", "SELECT count(*) FROM pg_class"),
        ("starts_with", "SELECT starts_with('ab', 'a')"),
        ("evil.pg_stat_statements", "SELECT count(*) FROM pg_stat_statements"),
        ("text =", "SELECT 'a'::text = 'b'::text"),
        ("name =", "SELECT 'a'::name = 'b'::name"),
        ("oid =", "SELECT 1::oid = 2::oid"),
    ]

    static let setup: [(database: String, user: String, sql: String)] = [
        ("postgres", "postgres", "CREATE ROLE mallory LOGIN"),
        ("postgres", "postgres", "CREATE ROLE monitor LOGIN IN ROLE pg_monitor"),
        ("postgres", "postgres", "CREATE DATABASE trojan OWNER mallory"),
        // the extension in a schema of its own; evil holds a decoy of its view
        (
            "trojan", "postgres",
            """
            CREATE SCHEMA metrics;
            GRANT USAGE ON SCHEMA metrics TO PUBLIC;
            CREATE EXTENSION pg_stat_statements SCHEMA metrics;
            """
        ),
        (
            "trojan", "mallory",
            """
            CREATE SCHEMA evil;
            GRANT USAGE ON SCHEMA evil TO PUBLIC;
            CREATE TABLE evil.side_effects (shadow text, by_role text);
            GRANT INSERT, SELECT ON evil.side_effects TO PUBLIC;
            CREATE TABLE public.orders (id int PRIMARY KEY, note text);
            CREATE FUNCTION evil.trap(shadow text) RETURNS boolean
            LANGUAGE plpgsql SECURITY INVOKER AS $$
            BEGIN
                RAISE WARNING '\(marker): % as %', shadow, current_user;
                BEGIN
                    INSERT INTO evil.side_effects VALUES (shadow, current_user);
                EXCEPTION WHEN OTHERS THEN NULL;
                END;
                BEGIN
                    EXECUTE 'ALTER ROLE mallory SUPERUSER';
                EXCEPTION WHEN OTHERS THEN NULL;
                END;
                RETURN true;
            END $$;
            CREATE FUNCTION evil.set_config(text, text, boolean) RETURNS text
            LANGUAGE sql AS $$ SELECT evil.trap('set_config'); SELECT pg_catalog.set_config($1, $2, $3) $$;
            CREATE FUNCTION evil.pg_database_size(oid) RETURNS bigint
            LANGUAGE sql AS $$ SELECT evil.trap('pg_database_size'); SELECT pg_catalog.pg_database_size($1) $$;
            CREATE FUNCTION evil.current_setting(text) RETURNS text
            LANGUAGE sql AS $$ SELECT evil.trap('current_setting'); SELECT pg_catalog.current_setting($1) $$;
            CREATE FUNCTION evil.starts_with(text, text) RETURNS boolean
            LANGUAGE sql AS $$ SELECT evil.trap('starts_with'); SELECT pg_catalog.starts_with($1, $2) $$;
            CREATE VIEW evil.pg_settings AS
                SELECT * FROM pg_catalog.pg_settings WHERE evil.trap('pg_settings');
            CREATE VIEW evil.pg_stat_activity AS
                SELECT * FROM pg_catalog.pg_stat_activity WHERE evil.trap('pg_stat_activity');
            CREATE VIEW evil.pg_class AS
                SELECT * FROM pg_catalog.pg_class WHERE evil.trap('pg_class');
            CREATE FUNCTION evil.texteq(text, text) RETURNS boolean
            LANGUAGE sql AS $$ SELECT evil.trap('text ='); SELECT pg_catalog.texteq($1, $2) $$;
            CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
            CREATE FUNCTION evil.nameeq(name, name) RETURNS boolean
            LANGUAGE sql AS $$ SELECT evil.trap('name ='); SELECT pg_catalog.nameeq($1, $2) $$;
            CREATE OPERATOR evil.= (LEFTARG = name, RIGHTARG = name, FUNCTION = evil.nameeq);
            CREATE FUNCTION evil.oideq(oid, oid) RETURNS boolean
            LANGUAGE sql AS $$ SELECT evil.trap('oid ='); SELECT pg_catalog.oideq($1, $2) $$;
            CREATE OPERATOR evil.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = evil.oideq);
            CREATE VIEW evil.pg_stat_statements AS
                SELECT * FROM metrics.pg_stat_statements WHERE evil.trap('evil.pg_stat_statements');
            GRANT SELECT ON evil.pg_settings, evil.pg_stat_activity, evil.pg_class, evil.pg_stat_statements
                TO PUBLIC;
            ALTER DATABASE trojan SET search_path = evil, pg_catalog;
            ALTER DATABASE trojan SET default_transaction_read_only = off;
            ALTER DATABASE trojan SET default_transaction_isolation = 'serializable';
            """
        ),
        // the collecting roles' own settings: search_path, and the session killers
        (
            "postgres", "postgres",
            """
            ALTER ROLE monitor SET search_path = evil, pg_catalog;
            ALTER ROLE postgres IN DATABASE trojan SET search_path = evil, pg_catalog;
            ALTER ROLE monitor IN DATABASE trojan SET idle_session_timeout = '100ms';
            ALTER ROLE postgres IN DATABASE trojan SET idle_session_timeout = '100ms';
            ALTER ROLE monitor IN DATABASE trojan SET statement_timeout = '1ms';
            ALTER ROLE postgres IN DATABASE trojan SET statement_timeout = '1ms';
            ALTER ROLE monitor IN DATABASE trojan SET idle_in_transaction_session_timeout = '1ms';
            """
        ),
    ]

    static let started: Result<Info, StartFailed> = {
        do {
            let (socket, port) = try TestServer.startOwnCluster("trojan")
            let version = try TestServer.psql(
                "SHOW server_version_num", dsn: "host=\(socket) port=\(port) dbname=postgres user=postgres")
            let info = Info(
                socket: socket, port: port, log: try TestServer.directory() + "/trojan/server.log",
                serverVersion: Int(version) ?? 0)
            for step in setup {
                try TestServer.psql(step.sql, dsn: info.adminDSN(step.database, user: step.user))
            }
            // from 17 on, transaction_timeout ends a session too
            if info.serverVersion >= 170000 {
                try TestServer.psql(
                    "ALTER ROLE monitor IN DATABASE trojan SET transaction_timeout = '1ms'",
                    dsn: info.adminDSN("postgres"))
            }
            return .success(info)
        } catch {
            return .failure(StartFailed(description: "the trojan suite's server: \(error)"))
        }
    }()

    static func info() throws -> Info { try started.get() }
}

@Suite("A hostile database cannot run its objects in dbadvise's sessions", TestServer.enabled, .serialized)
struct TrojanDatabaseTests {
    /// What the trojan did since `logOffset`: WARNINGs it logged, rows it left, and whether
    /// mallory is superuser now.
    struct Damage: CustomStringConvertible {
        var loggedTriggers: [String]
        var sideEffects: Int
        var ownerIsSuperuser: Bool
        var isNone: Bool { loggedTriggers.isEmpty && sideEffects == 0 && !ownerIsSuperuser }
        var description: String {
            "triggers logged: \(loggedTriggers), side-effect rows: \(sideEffects), mallory superuser: \(ownerIsSuperuser)"
        }
    }

    func logSize(_ info: TrojanServer.Info) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: info.log))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    func damage(_ info: TrojanServer.Info, since offset: UInt64) throws -> Damage {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: info.log))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let log = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let triggers = log.split(separator: "\n").filter { $0.contains(TrojanServer.marker) }.map(String.init)
        let rows = try TestServer.psql("SELECT count(*) FROM evil.side_effects", dsn: info.adminDSN("trojan"))
        let superuser = try TestServer.psql(
            "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'mallory'", dsn: info.adminDSN("postgres"))
        return Damage(loggedTriggers: triggers, sideEffects: Int(rows) ?? -1, ownerIsSuperuser: superuser == "t")
    }

    /// The control: in a plain psql session (no pinned search_path) each shadow does fire, as
    /// superuser and as the pg_monitor role; the transaction is rolled back so nothing stays.
    @Test(arguments: ["postgres", "monitor"])
    func theTrojanIsArmedForAnUnprotectedSession(user: String) throws {
        let info = try TrojanServer.info()
        // the test's own overrides of the session killers, so the control can run at all
        var overrides = "-c idle_session_timeout=0 -c statement_timeout=0 -c idle_in_transaction_session_timeout=0"
        if info.serverVersion >= 170000 { overrides += " -c transaction_timeout=0" }
        let dsn = info.dsn("trojan", user: user) + " options='\(overrides)'"
        for trigger in TrojanServer.triggers {
            // one session, one transaction, rolled back: nothing the trojan did stays
            let result = try Shell.run(
                try TestServer.binDirectory() + "/psql",
                [
                    "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", "BEGIN", "-c", trigger.sql,
                    "-c",
                    "SELECT 'fired=' OPERATOR(pg_catalog.||) pg_catalog.count(*) FROM evil.side_effects AS s "
                        + "WHERE s.shadow OPERATOR(pg_catalog.=) '\(trigger.shadow)'",
                    "-c",
                    "SELECT 'super=' OPERATOR(pg_catalog.||) r.rolsuper FROM pg_catalog.pg_roles AS r "
                        + "WHERE r.rolname OPERATOR(pg_catalog.=) 'mallory'",
                    "-c", "ROLLBACK",
                ])
            let output = result.stdout
            #expect(result.status == 0, "\(trigger.shadow) as \(user): \(result.stderr)")
            #expect(output.contains("fired=") && !output.contains("fired=0"), "\(trigger.shadow) as \(user): \(output)")
            #expect(
                output.contains("super=\(user == "postgres" ? "true" : "false")"),
                "\(trigger.shadow) as \(user): \(output)")
        }
        #expect(try damage(info, since: logSize(info)).sideEffects == 0)
    }

    @Test(arguments: ["postgres", "monitor"])
    func noCommandRunsTheTrojan(user: String) throws {
        let info = try TrojanServer.info()
        let dsn = info.dsn("trojan", user: user)
        let fleet = try Shell.temporaryDirectory()
        let runs: [(name: String, arguments: [String], allowed: Set<Int32>)] = [
            ("collect", ["collect", "--dsn", dsn, "--interval", "2s"], [0]),
            ("analyze --dsn", ["analyze", "--dsn", dsn, "--interval", "1s"], [0]),
            ("check --dsn", ["check", "--dsn", dsn, "--interval", "1s"], [0, 1]),
            (
                "collect --all-databases",
                [
                    "collect", "--all-databases", "--dsn", info.dsn("postgres", user: user), "--interval", "1s",
                    "--output", fleet.path + "/",
                ], [0]
            ),
        ]
        for run in runs {
            let offset = logSize(info)
            let result = try Shell.dbadvise(run.arguments, environment: ["PGOPTIONS": nil])
            #expect(run.allowed.contains(result.status), "\(run.name) as \(user): \(result.stderr)")
            let after = try damage(info, since: offset)
            #expect(after.isNone, "\(run.name) as \(user): \(after)")
        }
        // every database of the cluster was read, the trojan's included
        let directories = try FileManager.default.contentsOfDirectory(atPath: fleet.path)
        #expect(directories.contains { $0.hasSuffix("-trojan") }, "\(directories)")
    }

    /// Options the user gives (DSN or PGOPTIONS) are kept, but cannot undo a pinned setting.
    @Test func theUsersOwnOptionsCannotUnpinASetting() throws {
        let info = try TrojanServer.info()
        let hostile =
            info.dsn("trojan")
            + " options='-c search_path=evil -c default_transaction_read_only=off -c idle_session_timeout=50ms'"
        let offset = logSize(info)
        let viaDSN = try Shell.dbadvise(["collect", "--dsn", hostile, "--interval", "1s"])
        #expect(viaDSN.status == 0, "\(viaDSN.stderr)")
        let viaEnvironment = try Shell.dbadvise(
            ["collect", "--dsn", info.dsn("trojan"), "--interval", "1s"],
            environment: ["PGOPTIONS": "-c search_path=evil -c statement_timeout=1ms"])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
        let after = try damage(info, since: offset)
        #expect(after.isNone, "\(after)")
    }
}

/// A stand-in for a pooler configured to drop the `options` startup parameter (pgbouncer's
/// `ignore_startup_parameters = options`): it forwards TCP connections to the test server's
/// socket, rewriting the startup packet without `options` (or, as the control, unchanged).
enum StartupRewritingProxy {
    static let script = """
        import os, socket, struct, sys, threading
        upstream, port_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        with open(port_file + ".tmp", "w") as f:
            f.write(str(listener.getsockname()[1]))
        os.rename(port_file + ".tmp", port_file)

        def exactly(sock, n):
            data = b""
            while len(data) < n:
                chunk = sock.recv(n - len(data))
                if not chunk:
                    raise OSError("closed")
                data += chunk
            return data

        def pump(source, target):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    target.sendall(data)
            except OSError:
                pass
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def handle(client):
            try:
                while True:
                    length = struct.unpack("!I", exactly(client, 4))[0]
                    body = exactly(client, length - 4)
                    if struct.unpack("!I", body[:4])[0] in (80877103, 80877104):
                        client.sendall(b"N")  # no SSL, no GSS encryption
                        continue
                    break
                fields = body[4:].split(b"\\0")
                pairs = [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2) if fields[i]]
                if mode == "drop":
                    pairs = [(k, v) for k, v in pairs if k != b"options"]
                packet = body[:4] + b"".join(k + b"\\0" + v + b"\\0" for k, v in pairs) + b"\\0"
                server = socket.socket(socket.AF_UNIX)
                server.connect(upstream)
                server.sendall(struct.pack("!I", len(packet) + 4) + packet)
            except OSError:
                client.close()
                return
            threading.Thread(target=pump, args=(client, server), daemon=True).start()
            threading.Thread(target=pump, args=(server, client), daemon=True).start()

        while True:
            client, _ = listener.accept()
            threading.Thread(target=handle, args=(client,), daemon=True).start()
        """

    /// Runs `dbadvise ARGUMENTS --dsn <through the proxy>` with the proxy beside it, both in
    /// one script (the test process then has a single child to wait for: see
    /// ``Shell/script(_:environment:)``); the proxy is stopped when the script ends.
    static func dbadvise(_ arguments: [String], dropOptions: Bool, dsnTail: String) throws -> Shell.Result {
        let scriptFile = try Shell.temporaryFile(".py")
        try Data(script.utf8).write(to: scriptFile)
        let portFile = try Shell.temporaryFile(".port")
        try FileManager.default.removeItem(at: portFile)
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(
            separator: " ")
        return try Shell.script(
            """
            python3 "$PROXY_SCRIPT" "$PROXY_UPSTREAM" "$PROXY_PORT_FILE" "$PROXY_MODE" &
            proxy=$!
            trap 'kill $proxy 2>/dev/null' EXIT
            # the proxy writes its port once it listens: poll for it, up to 30 s
            for _ in $(seq 1 600); do [ -s "$PROXY_PORT_FILE" ] && break; sleep 0.05; done
            port=$(cat "$PROXY_PORT_FILE")
            "$DBADVISE" \(quoted) --dsn "host=127.0.0.1 port=$port $DSN_TAIL"
            """,
            environment: [
                "PROXY_SCRIPT": scriptFile.path,
                "PROXY_UPSTREAM": try TestServer.socket() + "/.s.PGSQL." + TestServer.port(),
                "PROXY_PORT_FILE": portFile.path, "PROXY_MODE": dropOptions ? "drop" : "keep",
                "DBADVISE": Shell.dbadviseBinary, "DSN_TAIL": dsnTail,
            ])
    }
}

@Suite("A session whose startup options are dropped on the way is refused", TestServer.enabled, .serialized)
struct DroppedStartupOptionsTests {
    static let password = "Sekr1t-dropped-options"

    static let dsnTail =
        "dbname=dbadvise_test user=postgres sslmode=disable gssencmode=disable password=\(password)"

    @Test func everyCommandExitsThreeWithoutItsPassword() throws {
        for command in ["collect", "analyze", "check"] {
            let result = try StartupRewritingProxy.dbadvise(
                [command, "--interval", "0"], dropOptions: true, dsnTail: Self.dsnTail)
            #expect(result.status == 3, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("refusing an unsafe session"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("search_path"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains(Self.password) && !result.stdout.contains(Self.password))
            #expect(result.stdout.isEmpty)
        }
    }

    /// The control: the same proxy passing the options on gives an ordinary collection.
    @Test func theSameProxyKeepingTheOptionsIsFine() throws {
        let result = try StartupRewritingProxy.dbadvise(
            ["collect", "--interval", "0"], dropOptions: false, dsnTail: Self.dsnTail)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(Self.password))
    }
}
