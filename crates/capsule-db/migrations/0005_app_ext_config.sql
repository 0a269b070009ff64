-- The configuration the platform keeps for an app and hands to it at run time
-- (`getExtConfigSync`, WeChat's third-party `ext`), such as the address of its backend.
ALTER TABLE apps ADD COLUMN ext_config TEXT NOT NULL DEFAULT '{}';
