using System.IO.MemoryMappedFiles;

namespace Playground.Scenarios.Processes;

/// <summary>
/// A file in /dev/shm mapped into this process, shared with every process that maps the same
/// path. Creating one reserves its pages up front: on a full /dev/shm a sparse file would fault
/// (SIGBUS) on first touch instead of failing here with a clear error.
/// </summary>
internal sealed unsafe class SharedMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private int _disposed;

    private SharedMapping(MemoryMappedFile file)
    {
        _file = file;
        _view = file.CreateViewAccessor();
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        Pointer = p + _view.PointerOffset;
    }

    /// <summary>The first byte of the mapping.</summary>
    public byte* Pointer { get; }

    /// <summary>
    /// Creates a new zero-filled file of <paramref name="bytes"/>; fails if it exists (which it then
    /// leaves alone). The first <paramref name="reserve"/> bytes (all of them by default) get their
    /// pages now; past them, a page is taken when first written.
    /// </summary>
    public static SharedMapping Create(string path, long bytes, long? reserve = null)
    {
        var created = false;
        try
        {
            using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
            created = true;
            fs.SetLength(bytes);
            var error = LibC.PosixFallocate((int)fs.SafeFileHandle.DangerousGetHandle(), 0, Math.Clamp(reserve ?? bytes, 1, bytes));
            if (error != 0)
            {
                throw new IOException($"cannot reserve {bytes} bytes for {path}: {new System.ComponentModel.Win32Exception(error).Message}");
            }

            return new SharedMapping(MemoryMappedFile.CreateFromFile(fs, null, bytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false));
        }
        catch when (created)
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Removes a mapped file's name; nothing happens when it is already gone or cannot be removed.</summary>
    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Maps a file another process created.</summary>
    public static SharedMapping Open(string path)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        return new SharedMapping(MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
