import FireflySQLite
import FireflySystem
import FoundationEssentials

/// Generates the `samples` catalog deterministically: `samples.nyctaxi.trips` and TPC-H-like
/// `samples.tpch` tables (region, nation, customer, orders, lineitem), and with `wide_schema_tables`
/// the long schema `samples.wide`. The same sizes always give
/// the same rows; an existing database of the same sizes is reused.
enum SampleData {
    /// SplitMix64: small, fast, deterministic.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func double(_ low: Double, _ high: Double) -> Double { low + Double(next() >> 11) / Double(1 << 53) * (high - low) }
    }

    static func ensure(warehouse: Warehouse, dataset: SimConfiguration.Dataset, now: Int64) throws {
        try ensureSchema(warehouse, "samples", "nyctaxi", marker: "trips=\(dataset.trips_rows)", now: now) { db in
            try trips(db, rows: dataset.trips_rows)
        }
        try ensureSchema(warehouse, "samples", "tpch", marker: "orders=\(dataset.tpch_orders)", now: now) { db in
            try tpch(db, orders: dataset.tpch_orders)
        }
        if let tables = dataset.wide_schema_tables, tables > 0 {
            try ensureSchema(warehouse, "samples", "wide", marker: "tables=\(tables)", now: now) { db in
                for index in 1...tables {
                    try db.execute("CREATE TABLE t\(String(repeating: "0", count: max(0, 5 - String(index).count)))\(index) (id INTEGER, label TEXT)")
                }
            }
        }
    }

    /// Builds a schema once per marker (the dataset size), into a temporary file renamed into place.
    private static func ensureSchema(_ warehouse: Warehouse, _ catalog: String, _ schema: String, marker: String, now: Int64,
                                     build: (SQLiteConnection) throws -> Void) throws {
        let path = warehouse.databasePath(catalog: catalog, schema: schema)
        if FileManager.default.fileExists(atPath: path), let db = try? SQLiteConnection(path: path, create: false),
           let statement = try? db.prepare("SELECT value FROM _firefly_dataset WHERE key = 'marker'"),
           (try? statement.step()) == true, statement.text(0) == marker {
            return
        }
        try FileManager.default.createDirectory(atPath: "\(warehouse.root)/\(catalog)", withIntermediateDirectories: true)
        let temporary = path + ".building"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let db = try SQLiteConnection(path: temporary)
            try db.execute(Warehouse.metadataDDL.replacing("PRAGMA journal_mode=WAL;", with: ""))
            try db.execute("PRAGMA synchronous=OFF; BEGIN")
            try build(db)
            try db.execute("""
                CREATE TABLE _firefly_dataset (key TEXT PRIMARY KEY, value TEXT);
                INSERT INTO _firefly_dataset VALUES ('marker', '\(marker)');
                INSERT OR IGNORE INTO _firefly_tables (table_name, created_at, updated_at)
                  SELECT name, \(now), \(now) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_firefly%' ESCAPE '\\';
                COMMIT; PRAGMA journal_mode=WAL;
                """)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        warehouse.invalidate()
    }

    private static func comment(_ db: SQLiteConnection, table: String, comment: String, columns: [String: String]) throws {
        let insertTable = try db.prepare("INSERT OR REPLACE INTO _firefly_tables (table_name, comment, created_at, updated_at) VALUES (?1, ?2, 1700000000000, 1700000000000)")
        try insertTable.bind([.text(table), .text(comment)])
        _ = try insertTable.step()
        let insertColumn = try db.prepare("INSERT OR REPLACE INTO _firefly_columns VALUES (?1, ?2, ?3)")
        for (column, text) in columns {
            insertColumn.reset()
            try insertColumn.bind([.text(table), .text(column), .text(text)])
            _ = try insertColumn.step()
        }
    }

    private static func timestamp(_ seconds: Int) -> String {
        let days = seconds / 86_400, rest = seconds % 86_400
        return "\(date(days)) \(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60))"
    }

    /// `yyyy-mm-dd` for days since 1970-01-01.
    private static func date(_ days: Int) -> String {
        let (year, month, day) = CivilDate.components(days: days)
        return "\(year)-\(pad(month))-\(pad(day))"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func trips(_ db: SQLiteConnection, rows: Int) throws {
        try db.execute("""
            CREATE TABLE trips (tpep_pickup_datetime TIMESTAMP, tpep_dropoff_datetime TIMESTAMP, trip_distance DOUBLE,
              fare_amount DOUBLE, pickup_zip INT, dropoff_zip INT)
            """)
        try comment(db, table: "trips", comment: "Taxi trips (generated sample)", columns: [
            "trip_distance": "Distance in miles", "fare_amount": "Fare in USD", "pickup_zip": "Pickup ZIP code",
        ])
        var random = Generator(state: 42)
        let insert = try db.prepare("INSERT INTO trips VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        let start = 1_451_606_400  // 2016-01-01
        for _ in 0..<rows {
            let pickup = start + random.int(0...(60 * 86_400))
            let minutes = random.int(2...75)
            let distance = (random.double(0.3, 25) * 100).rounded() / 100
            let fare = ((2.5 + distance * 2.5 + Double(minutes) * 0.35) * 100).rounded() / 100
            insert.reset()
            try insert.bind([.text(timestamp(pickup)), .text(timestamp(pickup + minutes * 60)), .real(distance), .real(fare),
                             .integer(Int64(random.int(10001...11697))), .integer(Int64(random.int(10001...11697)))])
            _ = try insert.step()
        }
    }

    private static func tpch(_ db: SQLiteConnection, orders: Int) throws {
        try db.execute("""
            CREATE TABLE region (r_regionkey BIGINT NOT NULL, r_name TEXT NOT NULL, r_comment TEXT);
            CREATE TABLE nation (n_nationkey BIGINT NOT NULL, n_name TEXT NOT NULL, n_regionkey BIGINT NOT NULL, n_comment TEXT);
            CREATE TABLE customer (c_custkey BIGINT NOT NULL, c_name TEXT NOT NULL, c_nationkey BIGINT NOT NULL,
              c_acctbal DECIMAL(12,2), c_mktsegment TEXT);
            CREATE TABLE orders (o_orderkey BIGINT NOT NULL, o_custkey BIGINT NOT NULL, o_orderstatus TEXT,
              o_totalprice DECIMAL(12,2), o_orderdate DATE, o_orderpriority TEXT);
            CREATE TABLE lineitem (l_orderkey BIGINT NOT NULL, l_linenumber INT NOT NULL, l_quantity DECIMAL(12,2),
              l_extendedprice DECIMAL(12,2), l_discount DECIMAL(12,2), l_shipdate DATE, l_returnflag TEXT);
            """)
        try comment(db, table: "orders", comment: "Orders (TPC-H-like, generated)", columns: ["o_orderkey": "Order key", "o_totalprice": "Total price"])
        let regions = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
        let nations = ["ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT", "ETHIOPIA", "FRANCE", "GERMANY", "INDIA", "INDONESIA",
                       "IRAN", "IRAQ", "JAPAN", "JORDAN", "KENYA", "MOROCCO", "MOZAMBIQUE", "PERU", "CHINA", "ROMANIA",
                       "SAUDI ARABIA", "VIETNAM", "RUSSIA", "UNITED KINGDOM", "UNITED STATES"]
        let nationRegion = [0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2, 4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1]
        var random = Generator(state: 7)
        let region = try db.prepare("INSERT INTO region VALUES (?1, ?2, ?3)")
        for (key, name) in regions.enumerated() {
            region.reset(); try region.bind([.integer(Int64(key)), .text(name), .text("region \(name.lowercased())")]); _ = try region.step()
        }
        let nation = try db.prepare("INSERT INTO nation VALUES (?1, ?2, ?3, ?4)")
        for (key, name) in nations.enumerated() {
            nation.reset(); try nation.bind([.integer(Int64(key)), .text(name), .integer(Int64(nationRegion[key])), .null]); _ = try nation.step()
        }
        let customers = max(1, orders / 10)
        let segments = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"]
        let customer = try db.prepare("INSERT INTO customer VALUES (?1, ?2, ?3, ?4, ?5)")
        for key in 1...customers {
            customer.reset()
            try customer.bind([.integer(Int64(key)), .text("Customer#\(String(repeating: "0", count: max(0, 9 - String(key).count)))\(key)"),
                               .integer(Int64(random.int(0...24))), .real((random.double(-999.99, 9999.99) * 100).rounded() / 100),
                               .text(segments[random.int(0...4)])])
            _ = try customer.step()
        }
        let order = try db.prepare("INSERT INTO orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        let line = try db.prepare("INSERT INTO lineitem VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        let priorities = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
        for key in 0..<orders {
            let orderKey = Int64(key + 1)
            let day = 8_035 + random.int(0...2_400)  // 1992-01-01 onwards
            let lines = random.int(1...7)
            var total = 0.0
            for number in 1...lines {
                let quantity = Double(random.int(1...50))
                let price = (quantity * random.double(900, 2000) * 100).rounded() / 100
                let discount = Double(random.int(0...10)) / 100
                total += price * (1 - discount)
                line.reset()
                try line.bind([.integer(orderKey), .integer(Int64(number)), .real(quantity), .real(price), .real(discount),
                               .text(date(day + random.int(1...120))), .text(["A", "N", "R"][random.int(0...2)])])
                _ = try line.step()
            }
            order.reset()
            try order.bind([.integer(orderKey), .integer(Int64(random.int(1...customers))), .text(["F", "O", "P"][random.int(0...2)]),
                            .real((total * 100).rounded() / 100), .text(date(day)), .text(priorities[random.int(0...4)])])
            _ = try order.step()
        }
    }
}
