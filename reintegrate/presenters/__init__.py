"""What a person reads, shared by the pages and the API: labels in both languages, statistics
labels and match reasons. Below both edges, so neither imports the other."""
