using Microsoft.AspNetCore.Http.Features;

namespace Playground.Server.Api;

/// <summary>Reads a request body only up to a cap, so an oversized one costs nothing to refuse.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is longer than <paramref name="max"/> bytes (declared or sent).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpContext http, int max)
    {
        var declared = http.Request.ContentLength;
        if (declared > max)
        {
            return null;
        }

        // Kestrel itself stops a body past the cap; we stop one byte past it in any case.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = max;
        }

        var buffer = new byte[(int)Math.Min(max + 1L, declared is { } d ? d + 1 : 4096)];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max)
                    {
                        return null;
                    }

                    Array.Resize(ref buffer, (int)Math.Min(max + 1L, buffer.Length * 2L));
                }

                var read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return length > max ? null : buffer.AsMemory(0, length);
    }
}
