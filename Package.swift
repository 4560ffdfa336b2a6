// swift-tools-version: 6.2
import PackageDescription

/// Swift 6 language mode is the package default (strict concurrency). Cross-module optimization lets
/// release builds specialise generic core types (the router) inside the pool's hot path.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

/// How the shipped programs are linked in release builds, for less memory per process (every pool
/// worker is a process of its own; README, "Memory per thread"): lld packs the relative
/// relocations (`DT_RELR`: the dynamic loader reads 12 KiB instead of 1.4 MiB of relocation
/// entries) and no symbols are exported to the dynamic symbol table (a program exports nothing: the
/// 1.5 MiB of names in it were only read at start-up; the unstripped build keeps its symbol table
/// for debuggers). The programs stay position-independent (ASLR). Nothing may look up the program's own
/// symbols at run time (`dlsym` on the main program: e.g. NIO's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`
/// would quietly decline).
let shippedProgramLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                 .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "firefly",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "firefly-fcgi", targets: ["FireflyFCGI"]),
        .executable(name: "firefly-admin", targets: ["FireflyAdmin"]),
        .executable(name: "firefly-workspace-sim", targets: ["FireflyWorkspaceSim"]),
        .executable(name: "firefly-proxy", targets: ["FireflyProxy"]),
        .library(name: "ProxyCore", targets: ["ProxyCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Without its default JSON trait: JSONSnapshot needs the whole of Foundation (and ICU) in every process.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Thin C system-library targets: headers and link flags only.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLinux"),

        // Safe Swift wrappers: the only modules that hold unsafe pointer code.
        .target(name: "FireflySystem", dependencies: ["CLinux"], swiftSettings: strict),
        .target(name: "FireflyFastCGI", dependencies: ["CFastCGI", "FireflySystem"], swiftSettings: strict),
        .target(name: "FireflyPostgres", dependencies: ["CPostgres"], swiftSettings: strict),
        .target(name: "FireflyHTTPClient", dependencies: ["CCurl"], swiftSettings: strict),
        .target(name: "FireflyCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "FireflySQLite", dependencies: ["CSQLite"], swiftSettings: strict),

        // Settings plumbing shared by every executable: value parsers, secret files, errors naming the key.
        .target(name: "FireflySettings", swiftSettings: strict),

        // JSON: the one parsed-value type (claims, responses, request bodies) and string escaping.
        .target(name: "FireflyJSON", swiftSettings: strict),

        // Metrics: the catalogue of FireFly's metric families, Prometheus text merged across processes,
        // the swift-metrics backend the executables install.
        .target(
            name: "FireflyMetrics",
            dependencies: [
                "FireflySystem",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // Logging: one logfmt format for every process, with journald priorities.
        .target(
            name: "FireflyLogging",
            dependencies: ["FireflySystem", "FireflyJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // Core library: configuration, errors, routing, logging, migrations.
        .target(
            name: "FireflyCore",
            dependencies: [
                "FireflyPostgres", "FireflyCrypto", "FireflySystem", "FireflySettings", "FireflyJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),

        // Identity: OIDC login (discovery, PKCE, ID-token checks with jwt-kit), sessions, CSRF.
        .target(
            name: "FireflyIdentity",
            dependencies: [
                "FireflyCore", "FireflyPostgres", "FireflyCrypto", "FireflyHTTPClient", "FireflySettings", "FireflyMetrics", "FireflyJSON",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Databricks gateway: SPN tokens, workspace calls with retries and audit, metadata cache.
        .target(
            name: "FireflyGateway",
            dependencies: [
                "FireflyCore", "FireflyPostgres", "FireflyCrypto", "FireflyHTTPClient", "FireflyJSON", "FireflyMetrics", "FireflySettings", "FireflySystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),

        // App-proxy rules without networking: routes, token envelope, header and cookie rewriting,
        // address policy, configuration.
        .target(name: "ProxyCore", dependencies: ["FireflyCrypto", "FireflySettings"], swiftSettings: strict),

        // Workspace simulator: a Databricks workspace on loopback for tests, benchmarks and the demo.
        .target(
            name: "WorkspaceSim",
            dependencies: [
                "FireflySQLite", "FireflyCrypto", "FireflySystem", "FireflyJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FireflyWorkspaceSim",
            dependencies: [
                "WorkspaceSim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Executables.
        .executableTarget(
            name: "FireflyFCGI",
            dependencies: [
                "FireflyCore", "FireflyFastCGI", "FireflySystem", "FireflyPostgres", "FireflyIdentity", "FireflyGateway", "FireflyHTTPClient", "ProxyCore", "FireflySettings", "FireflyCrypto",
                "FireflyLogging", "FireflyMetrics", "FireflyJSON", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            linkerSettings: shippedProgramLinking
        ),
        .executableTarget(
            name: "FireflyAdmin",
            dependencies: [
                "FireflyCore", "FireflyPostgres", "FireflyIdentity", "FireflyCrypto", "FireflySettings", "FireflyHTTPClient", "FireflyGateway", "FireflyLogging", "FireflySystem", "FireflyJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            linkerSettings: shippedProgramLinking
        ),

        // The app proxy's networking: the listener, the exchange and splice handlers, app
        // connections, session checks, reload and drain state. NIO handlers tested on EmbeddedChannel.
        .target(
            name: "FireflyProxyServer",
            dependencies: [
                "ProxyCore", "FireflySettings", "FireflySystem", "FireflyPostgres", "FireflyMetrics",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FireflyProxy",
            dependencies: [
                "FireflyProxyServer", "ProxyCore", "FireflySettings", "FireflySystem", "FireflyLogging", "FireflyMetrics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            linkerSettings: shippedProgramLinking
        ),

        // Tests.
        .testTarget(
            name: "FireflyUnitTests",
            dependencies: [
                "FireflyCore", "FireflyFastCGI", "FireflyCrypto", "FireflySystem", "ProxyCore", "FireflySQLite", "WorkspaceSim", "FireflyIdentity", "FireflySettings", "FireflyPostgres", "FireflyGateway",
                "FireflyLogging", "FireflyMetrics", "FireflyJSON", "FireflyProxyServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FireflyIntegrationTests",
            dependencies: ["FireflyCore", "FireflyHTTPClient", "FireflyPostgres", "FireflySystem", "FireflyCrypto", "ProxyCore", "FireflySettings", "FireflyMetrics"],
            swiftSettings: strict
        ),
    ]
)

// Fuzz targets (libFuzzer), declared only when FIREFLY_FUZZ is set: `bench/fuzz` builds them with
// `--sanitize=fuzzer --sanitize=address` in their own scratch folder (libFuzzer supplies `main`).
// Each has a seed corpus in Fuzz/Corpus/<target>/.
if Context.environment["FIREFLY_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzTokenEnvelope", ["ProxyCore", "FireflyCrypto"]),
        ("FuzzProxyGate", ["ProxyCore"]),
        ("FuzzProxiedHeaders", ["ProxyCore"]),
        ("FuzzCGIParameters", ["FireflyFastCGI"]),
        ("FuzzCookiesAndPaths", ["FireflyCore", "FireflyIdentity"]),
        ("FuzzTusHeaders", ["FireflyCore"]),
        ("FuzzConfigurationFiles", ["ProxyCore"]),
        ("FuzzJSONBodies", ["FireflyJSON"]),
        ("FuzzIDToken", ["FireflyIdentity"]),
        ("FuzzSimulatorSQL", ["WorkspaceSim"]),
    ]
    package.targets += fuzzTargets.map {
        .executableTarget(name: $0.name, dependencies: $0.dependencies, path: "Fuzz/\($0.name)", swiftSettings: strict)
    }
}
