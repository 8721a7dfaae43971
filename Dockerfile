# syntax=docker/dockerfile:1

# Build:  docker build -t playground .
# Run:    docker run --rm -p 8080:8080 playground      then open http://localhost:8080

# --- restore inputs --------------------------------------------------------------------------
# Only the files that decide what restore downloads: project files, Directory.*.props/targets,
# global.json, NuGet config and the npm manifests. Copying them through this stage (instead of
# listing each project) keeps new projects covered automatically, and because the output is
# unchanged when only source files change, the restore layers below stay cached.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS restore-inputs
WORKDIR /src
COPY . .
RUN find . -type f ! \( -name '*.sln' -o -name '*.csproj' -o -name 'Directory.*.props' \
        -o -name 'Directory.*.targets' -o -name '*.targets' -o -name 'global.json' -o -iname 'nuget.config' \
        -o -name 'package.json' -o -name 'package-lock.json' \) -delete \
    && find . -depth -mindepth 1 -type d -empty -delete

# --- build -----------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# src/Client runs `npm ci` as part of its build; clang links the NativeAOT worker (the ILCompiler
# packages, restored from NuGet below, bring their own zlib).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm clang \
    && rm -rf /var/lib/apt/lists/*
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src

COPY --from=restore-inputs /src ./
# Restores the ILCompiler packages of the NativeAOT worker too (build/WorkerAot.targets).
RUN dotnet restore src/Server/Playground.Server.csproj
# Browser packages in their own cached layer; the stamp is the one the Client's NpmCi target checks,
# so the build below does not run `npm ci` again.
RUN if [ -f src/Client/package-lock.json ]; then \
        cd src/Client && npm ci --no-audit --no-fund && touch node_modules/.install-stamp; \
    fi

COPY . .
# The worker of processes mode is NativeAOT, as everywhere clang is installed (a child starts in
# ~7 ms instead of ~100 ms); WORKER_AOT=true makes a missing clang an error rather than a fallback.
# Build with --build-arg WORKER_AOT=false for the framework-dependent worker.
ARG WORKER_AOT=true
RUN dotnet publish src/Server/Playground.Server.csproj -c Release -o /app -p:UseAppHost=false -p:WorkerAot=$WORKER_AOT

# --- runtime ---------------------------------------------------------------------------------
# The regular aspnet image (not a chiseled or Alpine one) carries ICU, which the Chinese pages need.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# The files stay owned by root, so the app cannot modify itself.
COPY --from=build /app ./
# Saved runs (Storage:Path, by default App_Data/runs.db under /app) live in the one folder the app
# may write; mount a volume there to keep them: docker run -v playground-data:/app/App_Data ...
RUN mkdir -p /app/App_Data && chown "$APP_UID" /app/App_Data
VOLUME /app/App_Data
# The image's built-in non-root "app" user.
USER $APP_UID
# No HEALTHCHECK: the aspnet image has no curl or wget; let the orchestrator probe port 8080.
ENTRYPOINT ["dotnet", "Playground.Server.dll"]
