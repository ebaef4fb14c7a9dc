"""HTTP: one blueprint per API family. Views parse, make one backend call, render."""
