using System.IO.Pipes;
using SocialHandoff.Local.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>`score`'s standard pipes widened on a real pipe and left alone on a file (Linux).</summary>
public sealed class StandardPipesTests
{
    [Fact]
    public void TryWiden_Pipe_HoldsOneMebibyte()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        Assert.NotEqual(StandardPipes.Capacity, StandardPipes.CapacityOf(fd));

        Assert.True(StandardPipes.TryWiden(fd));

        Assert.Equal(StandardPipes.Capacity, StandardPipes.CapacityOf(fd));
    }

    [Fact]
    public void TryWiden_File_FalseAndNoPipe()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenWrite(path);
            var fd = (int)file.SafeFileHandle.DangerousGetHandle();

            Assert.False(StandardPipes.TryWiden(fd));

            Assert.Equal(-1, StandardPipes.CapacityOf(fd));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
