namespace Playground.Server.Storage;

/// <summary>Where saved runs are kept and for how long, bound from the "Storage" configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The database file relative to the content root, when <see cref="Path"/> is not set.</summary>
    public const string DefaultPath = "App_Data/runs.db";

    /// <summary>The SQLite database file of saved runs; relative paths are taken from the content root.</summary>
    public string? Path { get; set; }

    /// <summary>Saved runs kept at most; past this the oldest saved go first.</summary>
    public int MaxSavedRuns { get; set; } = 500;

    /// <summary>Days a saved run is kept after it was saved; 0 keeps it until the count cap removes it.</summary>
    public double MaxAgeDays { get; set; } = 90;

    /// <summary>The most events a run may have recorded to be saved.</summary>
    public long MaxEventsPerSavedRun { get; set; } = 2_000_000;

    /// <summary>Memory for saved runs read back from the database (their logs and tile indexes), in MB.</summary>
    public int CacheMegabytes { get; set; } = 256;

    /// <summary>Minutes between two sweeps of saved runs past their age or count.</summary>
    public double SweepMinutes { get; set; } = 10;

    /// <summary>The database file's full path: <see cref="Path"/> (or the default) under <paramref name="contentRoot"/>.</summary>
    public string FullPath(string contentRoot) =>
        System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(Path) ? DefaultPath : Path, contentRoot);
}
