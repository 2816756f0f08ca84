# syntax=docker/dockerfile:1

# --- Build stage -------------------------------------------------------------
# Pinned to the exact toolchain in go.mod (go 1.26.8); the official image sets
# GOTOOLCHAIN=local, so an older 1.26.x image would refuse to build.
# Runs on the build host's platform and cross-compiles for the target one.
FROM --platform=$BUILDPLATFORM golang:1.26.8 AS build
WORKDIR /src

# Dependencies first, as their own layer: reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG TARGETOS TARGETARCH
# Pure Go, no cgo: the embedded Temporal dev server (used by `sendflow dev`)
# uses the modernc.org SQLite driver, so the binary is fully static.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -o /sendflow ./cmd/sendflow

# --- Runtime stage -----------------------------------------------------------
# Distroless static: CA certificates and tzdata only; no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /sendflow /sendflow
# The image's `nonroot` user, numeric so Kubernetes runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/sendflow"]
# Pass a command: serve, worker, migrate, token, config (no argument prints help).
CMD ["help"]
