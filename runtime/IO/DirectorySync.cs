using System.Runtime.InteropServices;

namespace GmCodegen;

/// <summary>
/// fsync(2) of a directory, so that a rename into it survives a power cut (the rename is a change of the directory,
/// which the file's own fsync does not cover). .NET has no API for it (a directory cannot be opened as a FileStream),
/// so on Linux this calls libc; elsewhere it does nothing. Best effort: failures are reported, never thrown.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>True when the directory was synced.</summary>
    public static bool TrySync(string directory)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            int fd = Open(directory, 0 /* O_RDONLY: enough to fsync a directory */);
            if (fd < 0) return false;
            try { return FSync(fd) == 0; }
            finally { _ = Close(fd); }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
