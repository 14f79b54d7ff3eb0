"""
karapace - version

Copyright (c) 2023 Aiven Ltd
See LICENSE for details
"""
__version__ = "0.0.1-0-unknown-3c5d538"
