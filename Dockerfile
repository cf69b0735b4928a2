# guard as a container image: a static binary with the built-in policy
# library, on a distroless base, running as a non-root user.
#   docker build -t guard --build-arg VERSION=v1.2.0 .
#   docker run --rm -v "$PWD:/work" guard check
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=""
ARG DATE=""
# The policies are embedded at build time (package policies): the image
# needs no files beside the binary.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
    -o /out/guard ./cmd/guard

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/guard /usr/local/bin/guard
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/guard"]
CMD ["check"]
