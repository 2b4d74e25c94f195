public class SmokeTests { [Fact] public void Builds() => Assert.True(typeof(GmCodegen.IGroupKernel).IsInterface); }
