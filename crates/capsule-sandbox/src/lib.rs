//! Runs mini-program JavaScript in QuickJS: for now the WXS modules that templates call.

mod wxs;

pub use wxs::{WxsHost, WxsLimits};
