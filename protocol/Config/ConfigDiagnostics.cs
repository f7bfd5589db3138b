namespace Warp.Protocol.Config
{
    /// <summary>One finding about a configuration file: the line it is on (1-based; 0 for the file as a whole) and what is wrong.</summary>
    public sealed class ConfigMessage
    {
        public readonly int Line;
        public readonly string Text;

        public ConfigMessage(int line, string text)
        {
            Line = line;
            Text = text;
        }

        /// <summary>"line 7: PrivateKey: not 32 bytes of base64", or "file: ..." when no one line is at fault.</summary>
        public override string ToString()
        {
            return Line > 0 ? "line " + Line.ToString() + ": " + Text : "file: " + Text;
        }
    }

    /// <summary>
    /// Errors and warnings collected while reading a configuration file. Both lists have a fixed
    /// capacity (<see cref="MaxErrors"/>, <see cref="MaxWarnings"/>) so a hostile file cannot fill
    /// the heap; findings beyond it are only counted (<see cref="ErrorsDropped"/>).
    /// Messages never contain secret values: callers pass key names and reasons, not the text of a key.
    /// </summary>
    public sealed class ConfigDiagnostics
    {
        public const int MaxErrors = 16;
        public const int MaxWarnings = 16;

        readonly ConfigMessage[] errors = new ConfigMessage[MaxErrors];
        readonly ConfigMessage[] warnings = new ConfigMessage[MaxWarnings];
        int errorCount;
        int warningCount;

        /// <summary>Errors found, including those beyond the stored <see cref="MaxErrors"/>.</summary>
        public int ErrorCount { get { return errorCount; } }
        public int WarningCount { get { return warningCount; } }
        public bool HasErrors { get { return errorCount > 0; } }
        /// <summary>Errors that were counted but not stored.</summary>
        public int ErrorsDropped { get { return errorCount > MaxErrors ? errorCount - MaxErrors : 0; } }
        public int StoredErrorCount { get { return errorCount < MaxErrors ? errorCount : MaxErrors; } }
        public int StoredWarningCount { get { return warningCount < MaxWarnings ? warningCount : MaxWarnings; } }

        public ConfigMessage Error(int index) { return this.errors[index]; }
        public ConfigMessage Warning(int index) { return this.warnings[index]; }

        public void AddError(int line, string text)
        {
            if (errorCount < MaxErrors)
                this.errors[errorCount] = new ConfigMessage(line, text);
            errorCount++;
        }

        public void AddWarning(int line, string text)
        {
            if (warningCount < MaxWarnings)
                this.warnings[warningCount] = new ConfigMessage(line, text);
            warningCount++;
        }

        /// <summary>All errors then all warnings, one per line, for the console or a log (no secrets are ever in them).</summary>
        public override string ToString()
        {
            string s = "";
            for (int i = 0; i < StoredErrorCount; i++)
                s += "error: " + this.errors[i].ToString() + "\n";
            if (ErrorsDropped > 0)
                s += "error: " + ErrorsDropped.ToString() + " more error(s) not shown\n";
            for (int i = 0; i < StoredWarningCount; i++)
                s += "warning: " + this.warnings[i].ToString() + "\n";
            if (warningCount > MaxWarnings)
                s += "warning: " + (warningCount - MaxWarnings).ToString() + " more warning(s) not shown\n";
            return s;
        }
    }
}
