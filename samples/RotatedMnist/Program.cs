Console.WriteLine("RotatedMnist sample: not written yet");
