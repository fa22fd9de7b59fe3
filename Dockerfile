# BusinessInbox: one container, the SQLite data in a volume.
#   docker build -t businessinbox .
#   docker run -p 8080:8080 -v businessinbox-data:/data businessinbox
# test.sh checks the same `dotnet publish` and a start as a non-root user on every run.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone, so this layer stays cached until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props BusinessInbox.sln .editorconfig ./
COPY src/BusinessInbox.Web/BusinessInbox.Web.csproj src/BusinessInbox.Web/
RUN dotnet restore src/BusinessInbox.Web/BusinessInbox.Web.csproj
COPY src/ src/
RUN dotnet publish src/BusinessInbox.Web -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Storage__DataPath=/data
# The data folder (database, data-protection keys, uploads) belongs to the non-root app user.
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data
COPY --from=build /app .
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "BusinessInbox.Web.dll"]
