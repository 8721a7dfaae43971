using Microsoft.AspNetCore.DataProtection;
using Playground.Client;
using Playground.Scenarios.Engine;
using Playground.Server.Api;
using Playground.Server.Batches;
using Playground.Server.Exports;
using Playground.Server.Hubs;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Server.Localization;
using Playground.Server.Processes;
using Playground.Server.Runs;
using Playground.Server.Storage;
using Playground.Shared.Runs;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

// Logging: Serilog to the console, structured; run lines carry RunId and Scenario.
builder.Services.AddSerilog((services, log) => log
    .ReadFrom.Configuration(builder.Configuration)
    .Enrich.FromLogContext()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}"));

// Options: caps on runs and batches (see README, "Configuration").
builder.Services.AddOptions<RunOptions>().Bind(builder.Configuration.GetSection(RunOptions.Section)).ValidateOnStart();
builder.Services.AddOptions<ProcessOptions>().Bind(builder.Configuration.GetSection(ProcessOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<RunOptions>, RunOptionsValidator>();
builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ProcessOptions>, ProcessOptionsValidator>();
builder.Services.AddOptions<LimitOptions>().Bind(builder.Configuration.GetSection(LimitOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LimitOptions>, LimitOptionsValidator>();
builder.Services.AddOptions<BatchOptions>().Bind(builder.Configuration.GetSection(BatchOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<BatchOptions>, BatchOptionsValidator>();
// Saved runs: an SQLite file (Storage:Path), its retention and its cache (see README, "Saved runs").
builder.Services.AddSavedRuns(builder.Configuration);

// Identity and limits: a signed cookie per client (Data Protection), trusted proxies only,
// start limits per identity and per address (see README, "Identity, ownership and limits").
var dataProtection = builder.Services.AddDataProtection().SetApplicationName("concurrency-playground");
if (builder.Configuration["DataProtection:KeysPath"] is { Length: > 0 } keys)
{
    dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
}

builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddRunStartRateLimiting();
builder.Services.AddSingleton<StartLimiter>();
builder.Services.AddSingleton<TileQueryLimiter>();
builder.Services.AddSingleton<ExportLimiter>();
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<CircuitOwner>();

// Services: the engine, the run and batch managers and the UI.
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(ScenarioRegistry.Default);
builder.Services.AddSingleton<WorkerLocator>();
builder.Services.AddSingleton<RunManager>();
builder.Services.AddSingleton<ScenarioGallery>();
builder.Services.AddSingleton<RunEventStream>();
// The live edge of a run goes once for all its viewers: one broadcast per watched run, writing the
// same serialized frame to each hub connection that is up to date (see RunBroadcaster).
builder.Services.AddSingleton<RunHubConnections>();
builder.Services.AddSingleton<Microsoft.AspNetCore.SignalR.HubLifetimeManager<RunHub>>(services => services.GetRequiredService<RunHubConnections>());
builder.Services.AddSingleton<RunBroadcaster>();
builder.Services.AddScoped<IRunService, RunService>();
builder.Services.AddScoped<ISavedRunService, Playground.Server.Storage.SavedRunService>();
// Built after the run manager, so disposed before it: batches cancel their runs while it still stands.
builder.Services.AddSingleton<BatchManager>();
builder.Services.AddScoped<IBatchService, BatchService>();
builder.Services.AddHostedService<RunJanitor>();
builder.Services.AddHostedService<RunWatchdog>();
builder.Services.AddHostedService<SharedMemorySweeper>();
builder.Services.AddHostedService<RunNotifier>();
// Stopped first (hosted services stop in reverse): live batches cancel their runs before anything else goes.
builder.Services.AddHostedService(services => services.GetRequiredService<BatchManager>());
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
{
    // A body the framework could not read (not JSON, wrong shapes) gets told what is expected.
    if (ctx.ProblemDetails.Status == StatusCodes.Status400BadRequest && ctx.ProblemDetails.Detail is null
        && ctx.ProblemDetails is not Microsoft.AspNetCore.Http.HttpValidationProblemDetails
        && ctx.HttpContext.Request.Path.StartsWithSegments("/api/runs"))
    {
        ctx.ProblemDetails.Detail = Playground.Shared.Text.Msg.Of("api.unreadableBody").Format();
    }
});
// A body that is not valid JSON is the caller's error: answer 400 in every environment, never 500.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
builder.Services.AddHealthChecks().AddCheck<WorkerHealthCheck>("worker");
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
builder.Services.AddSignalR(o =>
    {
        o.MaximumReceiveMessageSize = 32 * 1024;
        o.EnableDetailedErrors = false;
    })
    .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)))
    .AddMessagePackProtocol();
// The API's JSON and MessagePack answers (tiles above all: a full-width window of a busy run is
// over a megabyte of repeated keys) are compressed for clients that accept it. They carry no secret
// next to reflected input, so HTTPS is compressed too.
builder.Services.AddResponseCompression(o =>
{
    o.EnableForHttps = true;
    o.MimeTypes = ["application/json", "application/problem+json", RunEndpoints.MessagePackType, "text/csv"];
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
});
// Languages: English and Chinese, from ?lang=, the language cookie or Accept-Language.
builder.Services.AddLocalization();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddPlaygroundClient();

var app = builder.Build();

// Find and probe the worker now: a missing one is reported at start-up, not mid-run.
_ = app.Services.GetRequiredService<WorkerLocator>().Command;
// Open the saved runs' database and bring its schema up to date before the first request.
app.Services.OpenSavedRuns();

// Pipeline: the caller's real address (trusted proxies only), then its identity, before anything counts it.
app.UseTrustedProxies();
app.UseClientIdentity();
app.UseSerilogRequestLogging(o => o.EnrichDiagnosticContext = RunLogContext.Enrich);
app.UseSiteLanguages();
app.UseExceptionHandler();
// Unknown pages get the site's own 404 page; the API and the hub answer with problem details
// (written first, inside, so the page never replaces them).
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api"), api => api.UseResponseCompression());
app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/hubs"),
    api => api.UseStatusCodePages());
app.UseRateLimiter();
app.UseAntiforgery();
app.MapStaticAssets();

// Endpoints: REST API, hub, health, pages.
app.MapScenarioApi();
app.MapRunApi();
app.MapRunExports();
app.MapBatchApi();
app.MapSavedRunApi();
app.MapHub<RunHub>("/hubs/runs");
app.MapLanguageSwitch();
app.MapHealthChecks("/healthz", new() { ResponseWriter = HealthReportWriter.WriteAsync });
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

/// <summary>The host's entry point, visible to the integration tests.</summary>
public partial class Program;
