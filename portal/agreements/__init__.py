"""Cooperation agreements between organisations, and who may use an intervention under them."""
