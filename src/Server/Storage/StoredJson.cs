using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using Playground.Shared.Text;

namespace Playground.Server.Storage;

/// <summary>
/// The JSON a saved run's description is kept in. A message is stored as its key and arguments
/// only (never as text in the saver's language), and read back with plain arguments — numbers,
/// strings, lists and nested messages — so it formats, and serializes to every hub protocol, as
/// the one that was saved.
/// </summary>
public static class StoredJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        // A figure that is not a number is kept as one, rather than failing the save.
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new MsgConverter(), new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException("A saved run's description is empty.");

    /// <summary>Named values read back as plain .NET values (long, double, string, bool, lists, messages).</summary>
    public static Dictionary<string, object> ReadValues(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ValuesOf(document.RootElement);
    }

    private static Dictionary<string, object> ValuesOf(JsonElement json)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        if (json.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in json.EnumerateObject())
            {
                if (Plain(property.Value) is { } value)
                {
                    values[property.Name] = value;
                }
            }
        }

        return values;
    }

    private static object? Plain(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number when json.TryGetInt64(out var whole) => whole,
        JsonValueKind.Number => json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => json.EnumerateArray().Select(Plain).Where(v => v is not null).Cast<object>().ToList(),
        JsonValueKind.Object when json.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String =>
            new Msg(key.GetString()!, json.TryGetProperty("args", out var args) ? ValuesOf(args) : null),
        JsonValueKind.Object => ValuesOf(json),
        _ => null,
    };

    private sealed class MsgConverter : JsonConverter<Msg>
    {
        public override Msg Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return Plain(document.RootElement) as Msg ?? throw new JsonException("A message must be an object with a key.");
        }

        public override void Write(Utf8JsonWriter writer, Msg value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("key", value.Key);
            if (value.Args is { Count: > 0 } args)
            {
                writer.WritePropertyName("args");
                writer.WriteStartObject();
                foreach (var (name, arg) in args)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, arg, options);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        private void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
        {
            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case Msg inner:
                    Write(writer, inner, options);
                    break;
                case string s:
                    writer.WriteStringValue(s);
                    break;
                case JsonElement element:
                    element.WriteTo(writer);
                    break;
                case IEnumerable list and not IDictionary:
                    writer.WriteStartArray();
                    foreach (var item in list)
                    {
                        WriteValue(writer, item, options);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    JsonSerializer.Serialize(writer, value, value.GetType(), options);
                    break;
            }
        }
    }
}
