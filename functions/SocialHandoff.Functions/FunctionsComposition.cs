using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core;

namespace SocialHandoff.Functions;

/// <summary>The app's services: what Program.cs composes, and what the trigger tests build the function classes from.</summary>
public static class FunctionsComposition
{
    public static IServiceCollection AddSocialHandoffFunctions(this IServiceCollection services) => services.AddSocialHandoff();
}
