//! The WXML/TTML template engine: parser, `{{ }}` expressions, IR, render to a tree and diff to patches.
