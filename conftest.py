"""Repository root: load the plugin even where entry-point autoloading is off.

The pytest11 entry point registers ``conformance.plugin`` in any project that installs the
package; CI systems often set PYTEST_DISABLE_PLUGIN_AUTOLOAD=1, and then this line is what makes
``pytest --base-url URL`` from the checkout still work. The entry point's name is the module
name, so with autoloading on this is a no-op rather than a second registration.
"""

pytest_plugins = ("conformance.plugin",)
