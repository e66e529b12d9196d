# Builds the `analyst` binary and runs the local platform on the bundled demo databases.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p local --bin analyst

FROM debian:bookworm-slim
RUN useradd --create-home analyst
COPY --from=build /src/target/release/analyst /usr/local/bin/analyst
USER analyst
WORKDIR /home/analyst
EXPOSE 8080
ENTRYPOINT ["analyst"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--data-dir", "/home/analyst/data"]
