"""`make bench`: accuracy and speed of the assistant on this machine, against two reference pipelines."""
