# syntax=docker/dockerfile:1
# Build: docker build -t setbot .
# Run:   docker run -v $PWD/setbot.toml:/etc/setbot/setbot.toml:ro -v setbot-data:/var/lib/setbot \
#          -e SETBOT_MATTERMOST_TOKEN=… -p 8066:8066 setbot
# The config's [store] path should be under /var/lib/setbot and [http] listen "0.0.0.0:8066".
# Two replicas on PostgreSQL: docker-compose.yml (README "Running two replicas").
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/setbot ./cmd/setbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/setbot /usr/local/bin/setbot
USER nonroot:nonroot
VOLUME ["/etc/setbot", "/var/lib/setbot"]
EXPOSE 8066
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/setbot", "healthcheck", "-url", "http://127.0.0.1:8066/healthz"]
ENTRYPOINT ["/usr/local/bin/setbot"]
CMD ["-config", "/etc/setbot/setbot.toml"]
