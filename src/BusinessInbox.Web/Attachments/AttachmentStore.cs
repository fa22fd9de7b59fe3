using System.Security.Cryptography;
using BusinessInbox.Data;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Attachments;

/// <summary>Where attachment bytes are kept. Keys are made by the store and are random; nothing a sender chose ends up in a path.</summary>
public interface IAttachmentStore
{
    /// <summary>Stores the stream's bytes and returns the key to find them again.</summary>
    Task<string> SaveAsync(Stream content, CancellationToken ct);

    /// <summary>The stored bytes, or null when there is nothing under that key.</summary>
    Stream? OpenRead(string key);

    /// <summary>Removes the bytes; nothing happens when they are already gone.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}

/// <summary>Files under <c>{Storage:DataPath}/attachments</c>, spread over 256 folders by the key's first two characters.</summary>
public sealed class FileAttachmentStore : IAttachmentStore
{
    private readonly string _root;

    public FileAttachmentStore(IOptions<StorageOptions> options, IHostEnvironment environment)
    {
        _root = Path.Combine(Path.GetFullPath(options.Value.DataPath, environment.ContentRootPath), "attachments");
        Directory.CreateDirectory(_root);
    }

    public async Task<string> SaveAsync(Stream content, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var path = PathOf(key)!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written under a temporary name and moved: a reader never sees half a file.
        var temporary = path + ".part";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, ct);
            }
            File.Move(temporary, path);
        }
        catch
        {
            // A source that fails half-way (a download cut off at its size limit, say) leaves nothing behind.
            File.Delete(temporary);
            throw;
        }
        return key;
    }

    public Stream? OpenRead(string key)
    {
        var path = PathOf(key);
        if (path is null || !File.Exists(path))
        {
            return null;
        }
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        if (PathOf(key) is { } path)
        {
            File.Delete(path);
        }
        return Task.CompletedTask;
    }

    // Only keys this store could have made map to a path, so a key can never walk out of the folder.
    private string? PathOf(string key) =>
        key.Length == 32 && key.All(char.IsAsciiHexDigitLower) ? Path.Combine(_root, key[..2], key) : null;
}
