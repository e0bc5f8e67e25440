using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using SocialHandoff.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSocialHandoffFunctions();
builder.Services.AddSocialHandoffTelemetry(builder.Configuration);
builder.Build().Run();
