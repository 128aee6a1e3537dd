namespace Host.Abstractions;

/// <summary>The C return type of a <see cref="NativeCall"/>.</summary>
public enum NativeType
{
    /// <summary>int</summary>
    Int,

    /// <summary>long</summary>
    Long,

    /// <summary>void*</summary>
    Pointer,

    /// <summary>const char*, read as text</summary>
    String,

    /// <summary>void</summary>
    Void,
}
