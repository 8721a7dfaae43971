using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Playground.Server.Runs;

namespace Playground.Server.Storage;

public static partial class StorageServices
{
    /// <summary>
    /// Saved runs: the "Storage" options, the SQLite archive (its schema brought up to date when it is
    /// first asked for, at start-up), the service every endpoint uses, and the retention sweep.
    /// </summary>
    public static IServiceCollection AddSavedRuns(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<IValidateOptions<Limits.LimitOptions>, SavedRunLimitsValidator>();
        services.AddSingleton<IRunArchive>(s =>
        {
            var options = s.GetRequiredService<IOptions<StorageOptions>>().Value;
            var path = options.FullPath(s.GetRequiredService<IHostEnvironment>().ContentRootPath);
            var archive = new SqliteRunArchive(path, options, s.GetRequiredService<TimeProvider>());
            try
            {
                archive.Migrate();
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                archive.Dispose();
                throw new InvalidOperationException(
                    $"The saved-runs database {path} (Storage:Path) cannot be opened or created: {ex.Message}", ex);
            }

            Log.Opened(s.GetRequiredService<ILogger<SqliteRunArchive>>(), path, SqliteRunArchive.SchemaVersion);
            return archive;
        });
        services.AddSingleton<SavedRuns>();
        services.AddHostedService<SavedRunJanitor>();
        return services;
    }

    /// <summary>Opens the archive now, so a database that cannot be used stops the server at start-up with its path.</summary>
    public static void OpenSavedRuns(this IServiceProvider services) => _ = services.GetRequiredService<IRunArchive>();

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Saved runs are kept in {Path} (schema version {Version})")]
        public static partial void Opened(ILogger logger, string path, int version);
    }
}
