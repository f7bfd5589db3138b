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
        char[] _buffer;
        int _length;

        public TextBuilder(int capacity)
        {
            _buffer = new char[capacity < 16 ? 16 : capacity];
        }

        public int Length { get { return _length; } }

        public TextBuilder Append(string text)
        {
            if (text == null)
                return this;
            Reserve(text.Length);
            for (int i = 0; i < text.Length; i++)
                _buffer[_length + i] = text[i];
            _length += text.Length;
            return this;
        }

        public TextBuilder Append(char c)
        {
            Reserve(1);
            _buffer[_length++] = c;
            return this;
        }

        void Reserve(int more)
        {
            if (_length + more <= _buffer.Length)
                return;
            int size = _buffer.Length * 2;
            while (size < _length + more)
                size *= 2;
            char[] grown = new char[size];
            System.Array.Copy(_buffer, grown, _length);
            System.Array.Clear(_buffer, 0, _length); // the text may hold a key
            _buffer = grown;
        }

        /// <summary>Overwrites the buffer with zeros (after exporting a file that holds keys).</summary>
        public void Clear()
        {
            System.Array.Clear(_buffer, 0, _buffer.Length);
            _length = 0;
        }

        public override string ToString()
        {
            return new string(_buffer, 0, _length);
        }
    }
}
