using GmCodegen;
using TorchSharp;
using static TorchSharp.torch;

namespace GmCodegen.Bench;

/// <summary>A libtorch formulation of the GM layer y = GM(w)·x + bias, differentiated by autograd.</summary>
public abstract class TorchPeer
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract bool Applies(BenchConfig c);
    /// <summary>Bytes of the large intermediate tensors the forward materialises (analytic), for the report.</summary>
    public abstract long ForwardIntermediateBytes(BenchConfig c, int batch);
    /// <summary>x: (B,I,L), w: (O,K) or (O,I,K), bias: (O) → y: (B,O,L).</summary>
    public abstract Tensor Forward(BenchConfig c, Tensor x, Tensor w, Tensor bias, Tensor idx);

    public static readonly TorchPeer[] All = [new RefGather(), new RefSumFirst(), new Conv2dCircular(), new Conv2dSumFirst()];

    /// <summary>The reference implementation's algorithm as published: gather x[:, :, idx] (B·I·K·|G|), then einsum.</summary>
    sealed class RefGather : TorchPeer
    {
        public override string Name => "torch-ref";
        public override string Description => "libtorch, reference algorithm as published: xg = x[:, :, idx] (B·I·K·|G| tensor), y = einsum(xg, w) + bias; autograd backward";
        public override bool Applies(BenchConfig c) => true;
        public override long ForwardIntermediateBytes(BenchConfig c, int batch) => 4L * batch * c.In * c.K * c.L;
        public override Tensor Forward(BenchConfig c, Tensor x, Tensor w, Tensor bias, Tensor idx)
        {
            var xg = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Tensor(idx)];     // (B, I, K, L)
            var y = c.Mode == ChannelMode.Shared ? einsum("bika,ok->boa", xg, w) : einsum("bika,oik->boa", xg, w);
            return y + bias.view(1, -1, 1);
        }
    }

    /// <summary>Shared mode, input channels summed first: s = Σ_i x, gather s[:, idx] (B·K·|G|), einsum.</summary>
    sealed class RefSumFirst : TorchPeer
    {
        public override string Name => "torch-ref-sumfirst";
        public override string Description => "libtorch, reference algorithm with the input channels summed first (shared mode): s = x.sum(1), y = einsum(s[:, idx], w) + bias";
        public override bool Applies(BenchConfig c) => c.Mode == ChannelMode.Shared;
        public override long ForwardIntermediateBytes(BenchConfig c, int batch) => 4L * batch * c.K * c.L;
        public override Tensor Forward(BenchConfig c, Tensor x, Tensor w, Tensor bias, Tensor idx)
        {
            var s = x.sum(1);                                                           // (B, L)
            var sg = s[TensorIndex.Colon, TensorIndex.Tensor(idx)];                      // (B, K, L)
            return einsum("bka,ok->boa", sg, w) + bias.view(1, -1, 1);
        }
    }

    /// <summary>Cn x Cn: conv2d (oneDNN/mkldnn where libtorch picks it) on the circularly padded image; the kernel is w
    /// reshaped to (2t+1)×(2t+1) and flipped in both axes (conv2d is a cross-correlation, the GM layer a convolution).</summary>
    class Conv2dCircular : TorchPeer
    {
        public override string Name => "torch-conv2d";
        public override string Description => "libtorch conv2d on the circularly padded image (shared mode: w expanded over the input channels); kernel = w reshaped (2t+1)×(2t+1), flipped";
        public override bool Applies(BenchConfig c) => c.IsTorus;
        public override long ForwardIntermediateBytes(BenchConfig c, int batch)
        {
            long p = c.Side + 2 * c.Radius;
            return 4L * batch * c.In * p * p;
        }
        protected static Tensor Kernel(BenchConfig c, Tensor w, int inChannels)
        {
            int d = 2 * c.Radius + 1;
            var k = c.Mode == ChannelMode.Shared ? w.view(c.Out, 1, d, d) : w.view(c.Out, c.In, d, d);
            k = k.flip(2, 3);
            return c.Mode == ChannelMode.Shared && inChannels > 1 ? k.expand(c.Out, inChannels, d, d) : k;
        }
        protected static Tensor Conv(BenchConfig c, Tensor img, Tensor kernel, Tensor bias)
        {
            long r = c.Radius;
            var padded = nn.functional.pad(img, [r, r, r, r], PaddingModes.Circular);
            return nn.functional.conv2d(padded, kernel, bias);
        }
        public override Tensor Forward(BenchConfig c, Tensor x, Tensor w, Tensor bias, Tensor idx)
        {
            long b = x.shape[0];
            var img = x.view(b, c.In, c.Side, c.Side);
            return Conv(c, img, Kernel(c, w, c.In), bias).view(b, c.Out, c.L);
        }
    }

    sealed class Conv2dSumFirst : Conv2dCircular
    {
        public override string Name => "torch-conv2d-sumfirst";
        public override string Description => "libtorch conv2d, shared mode with the input channels summed first (one input channel)";
        public override bool Applies(BenchConfig c) => c.IsTorus && c.Mode == ChannelMode.Shared && c.In > 1;
        public override long ForwardIntermediateBytes(BenchConfig c, int batch)
        {
            long p = c.Side + 2 * c.Radius;
            return 4L * batch * p * p;
        }
        public override Tensor Forward(BenchConfig c, Tensor x, Tensor w, Tensor bias, Tensor idx)
        {
            long b = x.shape[0];
            var img = x.sum(1, keepdim: true).view(b, 1, c.Side, c.Side);
            return Conv(c, img, Kernel(c, w, 1), bias).view(b, c.Out, c.L);
        }
    }
}
