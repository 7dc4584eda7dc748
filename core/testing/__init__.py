"""The plugin contract test kit, shipped with the product.

A plugin author runs the same checks the built-in plugins pass against their own distribution:

    python -m pytest --qingqian-contract=myplugin

(the pytest plugin ``core.testing.pytest_plugin`` is registered under ``pytest11``, so installing
``qingqian`` is enough; ``-p core.testing.pytest_plugin`` loads it explicitly). See docs/plugin-guide.md.

``harness`` builds an app on the real migrations and a two-jurisdiction world; ``isolation`` attacks every
route with another tenant's ids; ``contract`` holds the per-plugin checks, each returning the problems it
found as Chinese sentences (an empty list means the plugin keeps the contract).
"""
