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

    /// <summary>An argument error's message without the "(Parameter 'x')" suffix: the option is already named in it.</summary>
    public static string Message(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
}
