namespace GmCodegen.Generator.Tests;

/// <summary>Wrong buffer lengths fail at the call, naming the argument and the expected length.</summary>
public class ContractTests
{
    static readonly GmShape S = new(2, 3, 4, ChannelMode.Shared);   // C8: L = 8, K = 3

    [Fact]
    public void Forward_names_the_wrong_argument()
    {
        var e = Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[47], new float[12], [], new float[64]));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("48", e.Message);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[48], new float[13], [], new float[64])).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[48], new float[12], new float[3], new float[64])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => C8r1.Forward(S, new float[48], new float[12], [], new float[65])).ParamName);
        var full = S with { Mode = ChannelMode.Full };
        Assert.Contains("36", Assert.Throws<ArgumentException>(() => C8r1.Forward(full, new float[48], new float[12], [], new float[64])).Message);
    }

    [Fact]
    public void Backward_passes_name_the_wrong_argument()
    {
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => C8r1.BackwardInput(S, new float[63], new float[12], new float[48])).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => C8r1.BackwardInput(S, new float[64], new float[12], new float[49])).ParamName);
        Assert.Equal("dw", Assert.Throws<ArgumentException>(() => C8r1.BackwardWeights(S, new float[48], new float[64], new float[11], [])).ParamName);
        Assert.Equal("dbias", Assert.Throws<ArgumentException>(() => C8r1.BackwardWeights(S, new float[48], new float[64], new float[12], new float[5])).ParamName);
    }

    [Fact]
    public void Bad_shapes_and_elements_are_refused()
    {
        Assert.Throws<ArgumentException>(() => C8r1.Forward(S with { InChannels = 0 }, [], new float[12], [], new float[64]));
        Assert.Throws<ArgumentOutOfRangeException>(() => C8r1.Multiply(8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => C8r1.Inverse(-1));
    }

    [Fact]
    public void Empty_batch_is_a_no_op()
    {
        var s = S with { Batch = 0 };
        C8r1.Forward(s, [], new float[12], [], []);
        var dw = new float[12];
        Array.Fill(dw, 5f);
        C8r1.BackwardWeights(s, [], [], dw, []);
        Assert.All(dw, v => Assert.Equal(0f, v));
    }
}
