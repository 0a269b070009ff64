//! Runs mini-program JavaScript (for now: WXS modules) in QuickJS.
