"""Entry points behind the scripts in bin/."""
