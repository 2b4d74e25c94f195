using System.Buffers.Binary;
using System.Text;

namespace GmCodegen.Data.Tests;

/// <summary>Issue 10, cases 5, 8 and 10 at the library level: model and IDX files that are refused clearly, saves that leave nothing behind.</summary>
public class FileReliabilityTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static List<Parameter> Model() => [new("w", 2, 3), new("b", 2)];

    static void WriteHeader(string path, byte[] header, int dataBytes)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void A_header_with_invalid_UTF8_is_an_InvalidDataException_not_a_JSON_reader_crash()
    {
        string path = _dir.File("bad-utf8.safetensors");
        // A metadata key holding a lone UTF-8 continuation byte (0x80) where '#' stands.
        var json = Encoding.ASCII.GetBytes("{\"__metadata__\":{\"k#\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        json[json.AsSpan().IndexOf((byte)'#')] = 0x80;
        WriteHeader(path, json, 4);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadMetadata(path));
        Assert.Contains("UTF-8", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, [new Parameter("w", 1)]));
    }

    [Fact]
    public void A_directory_is_reported_as_a_directory_not_as_missing()
    {
        var e = Assert.Throws<IOException>(() => SafeTensors.ReadMetadata(_dir.Path));
        Assert.IsNotType<FileNotFoundException>(e);
        Assert.Contains("is a directory", e.Message);
        var idx = Assert.Throws<IOException>(() => IdxFile.ReadImages(_dir.Path));
        Assert.IsNotType<FileNotFoundException>(idx);
        Assert.Contains("is a directory", idx.Message);
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => SafeTensors.Save(_dir.Path, Model())).Message);
    }

    [Fact]
    public void Non_finite_parameters_are_refused_on_request_when_saving_and_loading()
    {
        var model = Model();
        model[1].Value[1] = float.NaN;
        string path = _dir.File("nan.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, model, requireFinite: true));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("index 1", e.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path));                 // refused before any file was created
        SafeTensors.Save(path, model);                                // the format itself round-trips NaN bit for bit
        var target = Model();
        var l = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path, target, requireFinite: true));
        Assert.Contains("tensor 'b'", l.Message);
        Assert.All(target.SelectMany(p => p.Value), v => Assert.Equal(0f, v));   // nothing was copied
        SafeTensors.Load(path, target);
        Assert.True(float.IsNaN(target[1].Value[1]));
    }

    [Fact]
    public void Stale_temporaries_of_exactly_the_save_pattern_are_removed_by_the_next_save()
    {
        string path = _dir.File("m.safetensors");
        string Temp(string name) => _dir.File(name);
        string old = Temp($".m.safetensors.{Guid.NewGuid():N}.tmp"), fresh = Temp($".m.safetensors.{Guid.NewGuid():N}.tmp");
        string otherModel = Temp($".other.safetensors.{Guid.NewGuid():N}.tmp"), notGuid = Temp(".m.safetensors.notaguid.tmp"), mine = Temp("notes.tmp");
        foreach (var f in new[] { old, fresh, otherModel, notGuid, mine }) File.WriteAllText(f, "x");
        var longAgo = DateTime.UtcNow - SafeTensors.StaleTempAge - TimeSpan.FromMinutes(1);
        foreach (var f in new[] { old, otherModel, notGuid, mine }) File.SetLastWriteTimeUtc(f, longAgo);

        SafeTensors.Save(path, Model());
        Assert.False(File.Exists(old), "a stale temporary of this model must be removed");
        Assert.True(File.Exists(fresh), "a young temporary may be a save in progress: kept");
        Assert.True(File.Exists(otherModel), "another model's temporaries are not this save's business");
        Assert.True(File.Exists(notGuid) && File.Exists(mine), "files of other patterns are never touched");
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void The_directory_is_synced_after_the_rename_on_Linux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), DirectorySync.TrySync(_dir.Path));
        Assert.False(DirectorySync.TrySync(_dir.File("no-such-directory")));
    }

    [Fact]
    public void A_save_destination_is_checked_before_any_work()
    {
        SafeTensors.CheckCanSave(_dir.File("sub/dir/m.safetensors"));      // creatable: fine, and leaves no file
        Assert.Empty(Directory.GetFiles(_dir.File("sub/dir")));
        Assert.Contains("directory", Assert.Throws<IOException>(() => SafeTensors.CheckCanSave(_dir.Path)).Message);
        Assert.Contains("directory", Assert.Throws<IOException>(() => SafeTensors.CheckCanSave(_dir.File("x") + "/")).Message);
        File.WriteAllText(_dir.File("plain"), "a regular file");
        Assert.Contains(_dir.File("plain"), Assert.Throws<IOException>(() => SafeTensors.CheckCanSave(_dir.File("plain/m.safetensors"))).Message);
        Assert.Contains("empty", Assert.Throws<IOException>(() => SafeTensors.CheckCanSave("")).Message);
        Assert.Contains("does not exist", Assert.Throws<IOException>(() => SafeTensors.CheckCanSave(_dir.File("nope/m.safetensors"), createDirectory: false)).Message);
    }

    [Fact]
    public void Labels_outside_the_classes_are_refused_when_the_data_is_loaded()
    {
        string images = _dir.File("i.idx"), labels = _dir.File("l.idx");
        IdxFile.WriteImages(images, new byte[3 * 4], 3, 2, 2);
        IdxFile.WriteLabels(labels, [1, 12, 3]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadDataset(images, labels, classes: 10));
        Assert.Contains("image 1", e.Message);
        Assert.Contains("label 12", e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Equal(12, IdxFile.ReadDataset(images, labels).Labels[1]);   // without a class count, labels are data
    }
}
