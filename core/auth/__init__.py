"""Authentication (browser sessions and API tokens) and the one permission layer every route goes through."""
