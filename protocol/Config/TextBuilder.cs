namespace Warp.Protocol.Config
{
    /// <summary>
    /// Appends strings into one growing char buffer (nanoFramework's mscorlib has no
    /// StringBuilder). Building a file with "s += ..." copies the whole text on every line; this
    /// copies each piece once, plus a doubling of the buffer now and then, so exporting a typical
    /// file needs about three times its size instead of its size times its line count.
    /// </summary>
    public sealed class TextBuilder
    {
        char[] buffer;
        int length;

        public TextBuilder(int capacity)
        {
            this.buffer = new char[capacity < 16 ? 16 : capacity];
        }

        public int Length { get { return length; } }

        public TextBuilder Append(string text)
        {
            if (text == null)
                return this;
            Reserve(text.Length);
            for (int i = 0; i < text.Length; i++)
                this.buffer[length + i] = text[i];
            length += text.Length;
            return this;
        }

        public TextBuilder Append(char c)
        {
            Reserve(1);
            this.buffer[length++] = c;
            return this;
        }

        void Reserve(int more)
        {
            if (length + more <= this.buffer.Length)
                return;
            int size = this.buffer.Length * 2;
            while (size < length + more)
                size *= 2;
            char[] grown = new char[size];
            System.Array.Copy(this.buffer, grown, length);
            System.Array.Clear(this.buffer, 0, length); // the text may hold a key
            this.buffer = grown;
        }

        /// <summary>Overwrites the buffer with zeros (after exporting a file that holds keys).</summary>
        public void Clear()
        {
            System.Array.Clear(this.buffer, 0, this.buffer.Length);
            length = 0;
        }

        public override string ToString()
        {
            return new string(this.buffer, 0, length);
        }
    }
}
