"""Pure loss functions of arrays and apply-functions."""
