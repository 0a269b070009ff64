//! Diffs two rendered trees into patches, and applies patches.
