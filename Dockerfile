# syntax=docker/dockerfile:1
# zeroidle on AWS Lambda: the `zeroidle` binary and a GGUF model on the provided:al2023 base, with
# `zeroidle lambda` as the bootstrap. The build stage runs deploy/build-lambda.sh (the same command CI runs).
#
#   docker buildx build --platform linux/arm64 \
#     --build-arg MODEL=models/Meta-Llama-3-8B-Instruct.Q4_K_M.gguf -t zeroidle:arm64 .
#
# linux/arm64 is what deploy/template.yaml deploys (Graviton: cheaper per GB-second); linux/amd64 builds too.
# On an x86 machine the arm64 build runs under QEMU (slow but correct); on Graviton or Apple silicon it is
# native. MODEL is a path inside the build context (*.gguf is git-ignored, not docker-ignored).

ARG BASE_IMAGE=public.ecr.aws/lambda/provided:al2023

# ---- build -------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS build
ARG TARGETARCH
RUN dnf install -y --setopt=install_weak_deps=False \
      gcc-c++ cmake make git tar gzip libcurl-devel openssl-devel \
  && dnf clean all
# nlohmann_json and spdlog are not in Amazon Linux 2023: pinned releases, installed as CMake packages.
ARG NLOHMANN_JSON_VERSION=v3.11.3
ARG SPDLOG_VERSION=v1.14.1
RUN git clone --depth 1 --branch "${NLOHMANN_JSON_VERSION}" https://github.com/nlohmann/json.git /deps/json \
  && cmake -S /deps/json -B /deps/json/build -DJSON_BuildTests=OFF \
  && cmake --install /deps/json/build \
  && git clone --depth 1 --branch "${SPDLOG_VERSION}" https://github.com/gabime/spdlog.git /deps/spdlog \
  && cmake -S /deps/spdlog -B /deps/spdlog/build -DCMAKE_BUILD_TYPE=Release -DSPDLOG_BUILD_EXAMPLE=OFF \
       -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  && cmake --build /deps/spdlog/build -j"$(nproc)" \
  && cmake --install /deps/spdlog/build \
  && rm -rf /deps

WORKDIR /src
# Sources only (no build trees, tests or models): each layer changes only with its folder.
COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY gguf ./gguf
COPY kernels ./kernels
COPY tokenizer ./tokenizer
COPY engine ./engine
COPY runtime ./runtime
COPY tools ./tools
COPY bench ./bench
COPY deploy/build-lambda.sh ./deploy/build-lambda.sh
RUN deploy/build-lambda.sh "${TARGETARCH:-arm64}" /build \
  && strip /build/bin/zeroidle \
  && /build/bin/zeroidle --help 2>&1 | grep lambda >/dev/null

# ---- the function image --------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
ARG MODEL=models/model.gguf
# The runtime needs glibc, libcurl and OpenSSL's libcrypto, which the base image has (libstdc++ is static).
COPY --from=build /build/bin/zeroidle /var/task/zeroidle
# Read through mmap at init, never copied: page cache, not heap (only /tmp is writable, and it is not used).
COPY ${MODEL} /opt/zeroidle/model.gguf
ENV ZEROIDLE_MODEL=/opt/zeroidle/model.gguf
# Lambda starts the ENTRYPOINT as the runtime; it reads AWS_LAMBDA_RUNTIME_API and the ZEROIDLE_* settings
# (deploy/template.yaml sets them). Locally: docker run -p 9000:8080 --entrypoint /usr/local/bin/aws-lambda-rie
#   zeroidle:arm64 /var/task/zeroidle lambda   (the base image ships the Runtime Interface Emulator)
ENTRYPOINT ["/var/task/zeroidle", "lambda"]
