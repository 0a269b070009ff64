//! Reads mini-program projects and packages: layouts, manifests, validation, limits and the `.capsule` ZIP format.
