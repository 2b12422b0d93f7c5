"""The check modules, one per area of the contract: ``check_<area>.py``."""
