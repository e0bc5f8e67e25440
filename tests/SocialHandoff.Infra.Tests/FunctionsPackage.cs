using System.Diagnostics;
using System.IO.Compression;

namespace SocialHandoff.Infra.Tests;

/// <summary>
/// The deployable package of the Functions app: CI publishes it (`.ci/run`, into artifacts/functions) and
/// sets SOCIALHANDOFF_PUBLISH_DIR; without it the fixture publishes Release itself. Either way the folder is
/// zipped as ops deploy it, to artifacts/socialhandoff-functions.zip beside the published folder.
/// </summary>
public sealed class FunctionsPackage : IDisposable
{
    public const string PublishDirVariable = "SOCIALHANDOFF_PUBLISH_DIR";

    private readonly string? _temp;

    public FunctionsPackage()
    {
        var root = new BicepFixtureRoot().RepositoryRoot;
        var published = Environment.GetEnvironmentVariable(PublishDirVariable);
        if (string.IsNullOrEmpty(published))
        {
            _temp = Directory.CreateTempSubdirectory("socialhandoff-publish-").FullName;
            published = Path.Combine(_temp, "functions");
            Publish(Path.Combine(root, "functions", "SocialHandoff.Functions", "SocialHandoff.Functions.csproj"), published);
        }

        PublishDirectory = Path.GetFullPath(published);
        ZipPath = Path.Combine(Path.GetDirectoryName(PublishDirectory.TrimEnd(Path.DirectorySeparatorChar))!, "socialhandoff-functions.zip");
        File.Delete(ZipPath);
        ZipFile.CreateFromDirectory(PublishDirectory, ZipPath, CompressionLevel.Optimal, includeBaseDirectory: false);
        using var zip = ZipFile.OpenRead(ZipPath);
        Entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToArray();
        Size = new FileInfo(ZipPath).Length;
    }

    public string PublishDirectory { get; }

    public string ZipPath { get; }

    public IReadOnlyList<string> Entries { get; }

    public long Size { get; }

    public string ReadText(string entry) => File.ReadAllText(Path.Combine(PublishDirectory, entry));

    public void Dispose()
    {
        if (_temp is not null)
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private static void Publish(string project, string output)
    {
        var start = new ProcessStartInfo("dotnet", $"publish \"{project}\" -c Release -o \"{output}\" --nologo")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet publish.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        }
    }
}

/// <summary>The repository root, from the test assembly's metadata (as BicepFixture reads it), without running the Bicep CLI.</summary>
internal sealed class BicepFixtureRoot
{
    public string RepositoryRoot { get; } = typeof(BicepFixtureRoot).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .OfType<System.Reflection.AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;
}

[CollectionDefinition(Name)]
public sealed class FunctionsPackageCollection : ICollectionFixture<FunctionsPackage>, ICollectionFixture<BicepFixture>
{
    public const string Name = "functions-package";
}
