# idlink container image.
# Build with BuildKit (the default builder since Docker 23; docker compose v2 always uses it):
#   docker build -t idlink .

# ---- build -------------------------------------------------------------------------
FROM rust:1-bookworm AS build
WORKDIR /src
# sqlx's compile-time checked queries read the committed .sqlx/ data (copied in with the
# sources; `scripts/sqlx-data check` keeps it current) instead of a live database.
ENV SQLX_OFFLINE=true
COPY . .
# The cache mounts keep downloaded crates and compiled dependencies between builds, so a
# change to idlink's own code recompiles only idlink. target/ is a cache mount, so the
# binary is copied out in the same step. Templates, static files and migrations are
# compiled into the binary: it is the only artefact the runtime needs.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -m 0755 target/release/idlink /usr/local/bin/idlink

# ---- runtime -----------------------------------------------------------------------
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="idlink" \
      org.opencontainers.image.description="Connect your ORCID iD: an institution's ORCID Member API integration" \
      org.opencontainers.image.licenses="MIT"

# No ca-certificates: idlink's HTTPS client (reqwest with rustls) carries its own CA roots
# (webpki-roots) and never reads /etc/ssl: the package, and the openssl it pulls in, would
# go unused.
# wget: performs the HEALTHCHECK (idlink has no self-check subcommand). All its libraries
# but libpsl5 are already in the base image, so it adds two small packages; curl would
# pull in a dozen (libcurl, Kerberos, LDAP, SSH, RTMP ...).
RUN apt-get update \
 && apt-get install -y --no-install-recommends wget \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 idlink \
 && useradd --system --uid 10001 --gid idlink --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin idlink \
 && install -d -o idlink -g idlink -m 0700 /data

COPY --from=build /usr/local/bin/idlink /usr/local/bin/idlink

# The database, and token.key when TOKEN_KEY is not set, live in /data.
# NO_COLOR: plain text logs (no ANSI colour codes) in `docker logs` and log collectors.
ENV BIND_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/idlink.db \
    NO_COLOR=1
VOLUME ["/data"]
EXPOSE 8080
USER idlink:idlink

# The port follows BIND_ADDR; /healthz answers 200 while the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD wget -q -O /dev/null "http://127.0.0.1:${BIND_ADDR##*:}/healthz" || exit 1

ENTRYPOINT ["/usr/local/bin/idlink"]
