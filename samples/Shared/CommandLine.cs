namespace GmCodegen.Samples;

/// <summary>
/// The command-line conventions every sample shares (compiled into each, linked from <c>samples/Shared</c>):
/// exit 0 when done, 1 on a bad file, environment or run, 2 on a bad option; errors are one <c>error:</c> line.
/// </summary>
internal static class CommandLine
{
    public const int Done = 0, Failed = 1, BadOption = 2;

    /// <summary>The options, or null after printing the error and the usage when an option is bad.</summary>
    public static T? Parse<T>(Func<T> parse, string usage) where T : class
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {Message(e)}");
            Console.Error.WriteLine();
            Console.Error.WriteLine(usage);
            return null;
        }
    }

    /// <summary>Option <paramref name="name"/>'s value <paramref name="v"/> as an integer in [min, max], or an error naming the option.</summary>
    public static int Integer(string name, string v, int min, int max) =>
        int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n : throw new ArgumentException($"{name} must be an integer in [{min}, {max}], was '{v}'.", name);

    /// <summary>Option <paramref name="name"/>'s value <paramref name="v"/> as a number in [min, max] (NaN is never in range).</summary>
    public static double Number(string name, string v, double min, double max) =>
        double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) && x >= min && x <= max
            ? x : throw new ArgumentException($"{name} must be a number in [{min}, {max}], was '{v}'.", name);

    /// <summary>An argument error's message without the "(Parameter 'x')" suffix: the option is already named in it.</summary>
    public static string Message(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
}
