"""Built-in plugins, one folder each. They use only the public hooks in ``core.hookspecs`` and are
registered through the ``qingqian.plugins`` entry-point group like any third-party plugin."""
