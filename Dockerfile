# PgChatOps container image: build with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
#   docker build -t pgchatops .
#   docker run -p 8080:8080 --env-file pgchatops.env pgchatops          (serve, the default)
#   docker run --rm --env-file pgchatops.env pgchatops check              (the deployment doctor)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the package layer stays cached until a dependency changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/PgChatOps.Core/PgChatOps.Core.csproj src/PgChatOps.Core/
COPY src/PgChatOps/PgChatOps.csproj src/PgChatOps/
RUN dotnet restore src/PgChatOps/PgChatOps.csproj
COPY .editorconfig appsettings.json ./
COPY manifests/discord/commands.json manifests/discord/
COPY src/ src/
RUN dotnet publish src/PgChatOps -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# The image's non-root user (UID 1654).
USER app
# The runtime image has no curl or wget: the app probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["dotnet", "PgChatOps.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "PgChatOps.dll"]
CMD ["serve"]
